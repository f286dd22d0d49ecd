import { errorFields } from '../common/errors';
import type { ConnectionOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { coalesceWrites, openRedis, type RedisTarget } from '../common/redis-connection';
import type { Logger } from '../common/logger';

/** Connection options for a BullMQ worker: it opens (and closes) its own blocking connection. */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, connectionName: 'haven:worker' };
}

/**
 * Every Redis connection one Haven opens. Whoever opens a connection here closes it through
 * {@link Connections.closeAll} (or {@link Connections.disconnectAll} when shutdown is overdue).
 */
export class Connections {
  readonly all: Redis[] = [];
  constructor(
    private readonly target: RedisTarget,
    private readonly log: Logger,
  ) {}

  /** Opens one connection named `haven:<purpose>`; its errors are logged, not thrown. */
  open(purpose: string, extra: RedisOptions = {}): Redis {
    // A plain connection, or a Redis Cluster client when REDIS_CLUSTER_NODES is set.
    const r = openRedis(this.target, { connectionName: `haven:${purpose}`, lazyConnect: false, ...extra });
    r.on('error', (err) => this.log.warn({ purpose, err: errorFields(err) }, 'redis connection error'));
    this.all.push(r);
    return r;
  }

  /** Quits every connection (a connection that cannot quit is dropped). */
  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((c) => c.quit().catch(() => c.disconnect())));
  }

  disconnectAll(): void {
    for (const c of this.all) c.disconnect();
  }
}

/** The connections the request path uses, each waited for (see {@link waitForRedis}). */
export interface CoreConnections {
  /**
   * Commands on the request path fail fast when Redis is down, so webhooks answer 503 at once.
   * Without auto-pipelining: it batched concurrent requests' commands into one socket write a tick,
   * but built a whole ioredis Pipeline (and a promise and callback per command) for each batch, and
   * at the rates one process sustains most batches held one command. Measured at a fixed 500 msg/s
   * (bench --only=alloc, two runs of two pairs): 210 -> 203 KB allocated per message, CPU per message
   * against the sketch's 1.21 -> 1.11 (mean of four). Its writes are gathered per I/O round instead
   * ({@link coalesceWrites}): one socket write for every command issued in the round, nothing per command.
   */
  redis: Redis;
  /**
   * BullMQ producers' own plain connection: auto-pipelining is not supported under BullMQ's scripts.
   * Its writes are gathered per I/O round too (order kept: ingest's mark-stored command follows the job's add).
   */
  queues: Redis;
  /**
   * A concern's claim, its alert record and its alert job share a connection of their own, so an
   * alert never waits behind everyday traffic's commands on the shared connections. One
   * connection, so the record always reaches Redis before its job (AlertService.raise). Written at
   * once, not gathered: alerts are few, and their latency is what matters.
   */
  alerts: Redis;
}

/** Opens the three request-path connections and waits (up to 10 s each) for Redis to answer. */
export async function openCoreConnections(c: Connections, log: Logger): Promise<CoreConnections> {
  const redis = c.open('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  coalesceWrites(redis);
  await waitForRedis(redis, log);
  const queues = c.open('queues', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  coalesceWrites(queues);
  await waitForRedis(queues, log);
  const alerts = c.open('alerts', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await waitForRedis(alerts, log);
  return { redis, queues, alerts };
}

/** Waits for Redis to answer a PING; after 10 s starts anyway (readiness says 503 until it answers). */
export async function waitForRedis(redis: Redis, log: Logger): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (redis.status !== 'ready') await new Promise((r) => setTimeout(r, 100));
      await redis.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        log.error({ err: errorFields(err) }, 'Redis is not answering; starting anyway, /readyz will say 503');
        return;
      }
    }
  }
}
