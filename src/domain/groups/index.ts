import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../common/logger';
import type { Keys } from '../../engine/keys';
import type { Outbox } from '../../engine/outbox';
import { GroupService, type WorkerDirectory } from './service';
import { GroupStore } from './store';
import type { GroupWords } from './texts';

export {
  GroupService,
  GROUP_TASK,
  firstName,
  type GroupsPort,
  type GroupTaskJob,
  type SignUpResult,
  type WorkerDirectory,
} from './service';
export { GroupStore } from './store';
export * from './types';
export type { GroupWords } from './texts';

/** Everything needed to build the group service (the composition root and the CLI). */
export interface GroupServiceOptions {
  redis: Redis;
  keys: Keys;
  tasks: Queue;
  outbox: Outbox;
  log: Logger;
  workers: WorkerDirectory;
  timezone: string;
  reminderOffsetsMinutes: number[];
  linkMinutesBefore: number;
  retentionDays: number;
  words: GroupWords;
  optedOut?: (conversationId: string) => Promise<boolean>;
  now?: () => number;
}

/** Builds the store and the {@link GroupService} over it. */
export function createGroupService(o: GroupServiceOptions): GroupService {
  return new GroupService({
    store: new GroupStore(o.redis, o.keys, o.retentionDays * 24 * 3600_000),
    tasks: o.tasks,
    outbox: o.outbox,
    log: o.log,
    workers: o.workers,
    timezone: o.timezone,
    reminderOffsetsMinutes: o.reminderOffsetsMinutes,
    linkMinutesBefore: o.linkMinutesBefore,
    words: o.words,
    optedOut: o.optedOut,
    now: o.now,
  });
}
