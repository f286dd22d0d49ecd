import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ChannelStatus } from '../engine/adapter';
import type { Metrics } from '../common/metrics';
import type { Queues } from '../engine/queues';

/**
 * `/healthz` (the process runs), `/readyz` (every Redis connection answers; each channel's state in the body) and
 * `/metrics` (Prometheus).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  d: {
    /** Every connection a message's path needs (commands and queue producers): ready only when all answer. */
    redis: Redis[];
    queues: Queues;
    metrics: Metrics;
    channels: () => ChannelStatus[];
    /** Whether anyone can be told of a safeguarding alert now (said in /readyz's body). */
    safeguarding?: () => { ok: boolean; problem?: string };
    /**
     * METRICS_TOKEN: `/metrics` answers only with `Authorization: Bearer TOKEN`. Without one it is
     * open only when `metricsOpen` (not production); otherwise 404.
     */
    metricsToken?: string;
    metricsOpen?: boolean;
  },
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    let redis: 'ok' | string = 'ok';
    try {
      // A connection still reconnecting would make webhooks answer 503: not ready until all answer.
      await withTimeout(Promise.all(d.redis.map((r) => r.ping())), 1000);
    } catch (err) {
      redis = `unavailable: ${(err as Error).message}`;
    }
    // Public: the state and reason only, never pairing data (a QR or code would let anyone link the account).
    const channels = d.channels().map(({ channel, state, detail }) => ({ channel, state, detail }));
    const told = d.safeguarding?.();
    const safeguarding =
      told && (told.ok ? { alerts: 'deliverable' } : { alerts: 'nobody_can_be_told', problem: told.problem });
    const body = {
      status: redis === 'ok' ? 'ready' : 'not_ready',
      redis,
      channels,
      ...(safeguarding ? { safeguarding } : {}),
    };
    return reply.code(redis === 'ok' ? 200 : 503).send(body);
  });

  app.get('/metrics', async (req, reply) => {
    if (d.metricsToken) {
      const sent = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const want = Buffer.from(d.metricsToken);
      const got = Buffer.from(sent ?? '');
      if (got.length !== want.length || !timingSafeEqual(got, want))
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    } else if (d.metricsOpen === false) {
      return reply.code(404).send({ error: 'not found' });
    }
    try {
      for (const q of d.queues.all()) {
        const counts = await withTimeout(q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized'), 1000);
        for (const [state, n] of Object.entries(counts)) d.metrics.queueDepth.set({ queue: q.name, state }, n);
      }
    } catch {
      // Queue depths are left at their last values when Redis is down; the rest still reports.
    }
    reply.type(d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]);
}
