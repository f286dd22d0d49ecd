import type { Mailer } from '../../common/mailer';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { MeetingPlatform } from '../../common/meeting';
import type { Outbox } from '../../engine/outbox';
import { CoordinatorNotifier } from './notify';
import { RequestService } from './service';
import { RequestStore } from './store';

export { CoordinatorNotifier, COORDINATOR_TASK, type CoordinatorNotice } from './notify';
export { RequestService, REMINDER_TASK, YOUNG_PERSON, type ReminderJob, type RequestListener } from './service';
export { RequestStore } from './store';
export * from './types';
export { formatSessionTime } from './texts';

/** Everything needed to build the request service (main.ts and the CLI). */
export interface RequestServiceOptions {
  redis: Redis;
  keys: Keys;
  tasks: Queue;
  outbox: Outbox;
  log: Logger;
  timezone: string;
  reminderOffsetsMinutes: number[];
  retentionDays: number;
  safetyReminder: (platform: MeetingPlatform) => string;
  coordinatorWebhookUrl?: string;
  /** COORDINATOR_WEBHOOK_SECRET: signs each coordinator webhook POST (Standard Webhooks). */
  coordinatorWebhookSecret?: string;
  /** COORDINATOR_WEBHOOK_INCLUDE_TEXT (default false). */
  coordinatorWebhookIncludeText?: boolean;
  /** Pseudonymous conversation ids of the coordinators' chat identities. */
  coordinatorIds: string[];
  /** Sends mail to `email:` coordinator targets (SMTP_URL). */
  mailer?: Mailer;
  publicUrl?: string;
  /** True when the young person said "stop". */
  optedOut?: (conversationId: string) => Promise<boolean>;
  now?: () => number;
}

/** Builds the store, the coordinator notifier and the {@link RequestService} over them. */
export function createRequestService(o: RequestServiceOptions): RequestService {
  const store = new RequestStore(o.redis, o.keys, o.retentionDays * 24 * 3600);
  const notifier = new CoordinatorNotifier(
    store,
    o.outbox,
    {
      webhookUrl: o.coordinatorWebhookUrl,
      webhookSecret: o.coordinatorWebhookSecret,
      webhookIncludeText: o.coordinatorWebhookIncludeText,
      coordinatorIds: o.coordinatorIds,
      mailer: o.mailer,
      timezone: o.timezone,
      publicUrl: o.publicUrl,
    },
    o.log,
  );
  return new RequestService({
    store,
    notifier,
    tasks: o.tasks,
    outbox: o.outbox,
    log: o.log,
    timezone: o.timezone,
    reminderOffsetsMinutes: o.reminderOffsetsMinutes,
    safetyReminder: o.safetyReminder,
    optedOut: o.optedOut,
    now: o.now,
  });
}
