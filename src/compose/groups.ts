import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { createGroupService, type GroupService } from '../domain/groups';
import type { Keys } from '../engine/keys';
import type { Outbox } from '../engine/outbox';
import type { StateStore } from '../engine/state';
import { groupWords, loadGroupContent } from '../flows/groups/content';
import { StaffAccounts } from '../staff/accounts';
import { staffWorkerDirectory } from '../staff/group-workers';

/**
 * Builds the peer support group service from the settings (GROUP_* and the reminder offsets)
 * over the given connections; the service and the CLI share it. A bad GROUP_CONTENT_PATH file
 * throws here, so Haven refuses to start with it.
 */
export function composeGroups(d: {
  config: Config;
  redis: Redis;
  keys: Keys;
  tasks: Queue;
  outbox: Outbox;
  log: Logger;
  /** For "stop": when absent, nobody counts as opted out (the CLI, which sends nothing itself). */
  states?: StateStore;
  now?: () => number;
}): GroupService {
  const { config } = d;
  return createGroupService({
    redis: d.redis,
    keys: d.keys,
    tasks: d.tasks,
    outbox: d.outbox,
    log: d.log,
    workers: staffWorkerDirectory(new StaffAccounts(d.redis, d.keys)),
    timezone: config.TIMEZONE,
    reminderOffsetsMinutes: config.REMINDER_OFFSETS_MINUTES,
    linkMinutesBefore: config.GROUP_LINK_MINUTES_BEFORE,
    retentionDays: config.GROUP_RETENTION_DAYS,
    words: groupWords(loadGroupContent(config.GROUP_CONTENT_PATH)),
    optedOut: d.states ? async (id) => (await d.states!.load(id))?.optedOut ?? false : undefined,
    now: d.now,
  });
}
