import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { openRedis, redisKeyPrefix } from '../common/redis-connection';
import { z } from 'zod';
import { loadConfig, type Config } from '../config';
import { Keys } from '../engine/keys';
import { CliError } from './errors';

export { CliError };

/** One `haven` sub-command. */
export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

/**
 * Parses `--name value` options and validates them with a zod schema; wrong usage becomes a
 * {@link CliError} (exit 2) that names every problem.
 */
export function parseOptions<S extends z.ZodType>(args: string[], schema: S, usage: string): z.infer<S> {
  const shape = (schema as unknown as z.ZodObject).shape ?? {};
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [k, v] of Object.entries(shape)) {
    const inner = (v as z.ZodType).def.type;
    options[k] = {
      type:
        inner === 'boolean' || (v as { unwrap?: () => z.ZodType }).unwrap?.()?.def.type === 'boolean'
          ? 'boolean'
          : 'string',
    };
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nUsage: ${usage}`, 2);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    throw new CliError(`Wrong options:\n${problems}\nUsage: ${usage}`, 2);
  }
  return parsed.data;
}

/** Settings plus a Redis connection for a one-off command; `close()` when done. */
export async function openStore(): Promise<{ config: Config; redis: Redis; keys: Keys; close(): Promise<void> }> {
  const config = loadConfig();
  const redis = openRedis(config, { maxRetriesPerRequest: 2, connectionName: 'haven:cli' });
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new CliError(`Cannot reach Redis at ${redisWhere(config)}: ${(err as Error).message}`);
  }
  return {
    config,
    redis,
    keys: new Keys(redisKeyPrefix(config)),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Writes one JSON line to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Where Redis is, for an error message (never the password). */
function redisWhere(config: Config): string {
  return config.REDIS_CLUSTER_NODES
    ? `the Redis Cluster (${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(', ')})`
    : config.REDIS_URL.replace(/\/\/[^@]*@/, '//***@');
}
