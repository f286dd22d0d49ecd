import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test file (or one test), so files can run in parallel. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/**
 * The connection, but every script it runs by hash (EVALSHA) first sets `key` to the next of `values` in turn:
 * a link that changes under every run of a store's script, for its retry limit. `runs()` counts those runs.
 */
export function flappingBeforeEachScript(
  redis: Redis,
  key: string,
  values: readonly string[],
): { redis: Redis; runs(): number } {
  let runs = 0;
  const flapping = new Proxy(redis, {
    get(target, prop) {
      if (prop === 'evalsha')
        return async (...args: unknown[]) => {
          await target.set(key, values[++runs % values.length] as string);
          return (target.evalsha as (...a: unknown[]) => Promise<unknown>)(...args);
        };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { redis: flapping, runs: () => runs };
}
