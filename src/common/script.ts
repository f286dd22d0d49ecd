import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (EVALSHA), so each call sends the hash instead of the script's text
 * and Redis does not hash the text again; when Redis does not know it yet (first use, a restart,
 * SCRIPT FLUSH) it is sent once with EVAL, which also loads it. Works on a Redis Cluster client too
 * (each node loads it on its first EVAL).
 */
export class LuaScript {
  private readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script: `numKeys` keys first in `args`, then the arguments. */
  async run(redis: Redis, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, numKeys, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, numKeys, ...args);
    }
  }
}
