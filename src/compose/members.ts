import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { MemberStore } from '../domain/members/store';
import type { Keys } from '../engine/keys';

/**
 * The member store as both the server (compose/services) and `haven members` build it. `now` is the
 * clock in ms (tests control it); the system clock when unset.
 */
export function buildMembers(config: Config, redis: Redis, keys: Keys, now?: () => number): MemberStore {
  return new MemberStore(redis, keys, {
    hashSecret: config.idHashSecret,
    joinCodeTtlDays: config.JOIN_CODE_TTL_DAYS,
    maxJoinFailuresAll: config.JOIN_FAILURES_PER_HOUR,
    maxJoinFailuresPerAddress: config.JOIN_FAILURES_PER_ADDRESS_PER_HOUR,
    retireCodeAfterFailures: config.JOIN_CODE_RETIRE_AFTER_FAILURES,
    now,
  });
}
