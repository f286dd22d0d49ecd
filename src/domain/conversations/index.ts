export * from './types';
export { ConversationStore } from './store';
export {
  ConversationService,
  HANDBACK_TASK,
  officeMinutes,
  pseudonym,
  type ConversationPort,
  type ConversationServiceDeps,
  type InboxRow,
  type OpenInput,
  type TurnRecord,
} from './service';
export { channelWindow, CHANNEL_NAMES, type ChannelWindow } from './window';
export { inboxTexts } from './texts';

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../common/logger';
import { OfficeHours } from '../../common/office-hours';
import type { Keys } from '../../engine/keys';
import type { Outbox } from '../../engine/outbox';
import { ConversationService as Service } from './service';
import { ConversationStore as Store } from './store';

/** Everything needed to build the inbox (main.ts). */
export interface ConversationServiceOptions {
  redis: Redis;
  keys: Keys;
  outbox: Outbox;
  tasks: Queue;
  log: Logger;
  charityName: string;
  officeHours: string;
  timezone: string;
  retentionDays: number;
  reassignMinutes: number;
  handBackMinutes: number;
  eraseBacklog?: (conversationId: string) => Promise<void>;
  now?: () => number;
}

/** Builds the store and the {@link Service} over it; the young person's last message time is the engine's record. */
export function createConversationService(o: ConversationServiceOptions): Service {
  return new Service({
    store: new Store(o.redis, o.keys, o.retentionDays * 24 * 3600),
    outbox: o.outbox,
    tasks: o.tasks,
    log: o.log,
    charityName: o.charityName,
    officeHours: new OfficeHours(o.officeHours, o.timezone),
    reassignMinutes: o.reassignMinutes,
    handBackMinutes: o.handBackMinutes,
    lastInboundAt: async (conversationId) => {
      const v = await o.redis.get(o.keys.lastInbound(conversationId));
      return v ? Number(v) : undefined;
    },
    eraseBacklog: o.eraseBacklog,
    now: o.now,
  });
}
