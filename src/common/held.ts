import type { Redis } from 'ioredis';

import { LuaScript } from './script';

const DELETE_IF_HELD = new LuaScript(
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
);

/**
 * Deletes `key` only if it still holds `token`: a lock or a claim is let go by the one that took
 * it, never by someone who came after it lapsed.
 */
export async function deleteIfHeld(redis: Redis, key: string, token: string): Promise<void> {
  await DELETE_IF_HELD.run(redis, 1, key, token);
}
