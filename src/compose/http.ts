import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import type { Adapter, AdapterContext, ChannelStatus } from '../adapters/kit/adapter';
import type { ChangeBus } from '../engine/changes';
import type { Keys } from '../engine/keys';
import type { ChannelName } from '../engine/message';
import type { Queues } from '../engine/queues';
import { registerHealthRoutes } from '../http/health';
import { requestLogger } from '../http/request-logger';
import type { ReachWatch } from '../domain/alerts/watch';
import { registerNobodyBanner } from '../staff/nobody';
import { trustProxyOption } from '../http/trust-proxy';
import { registerHsts } from '../http/hsts';
import { parseJsonBody } from '../http/json';
import { registerStaffRoutes } from '../staff';
import type { BuiltServices } from './services';

/** What the HTTP server serves. */
export interface HttpDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  keys: Keys;
  redis: Redis;
  /** Every connection /readyz checks. */
  healthConnections: Redis[];
  queues: Queues;
  built: BuiltServices;
  adapters: Map<ChannelName, Adapter>;
  adapterContext: AdapterContext;
  changes: ChangeBus;
  /** Whether anyone can be told of an alert now (shown on /readyz and every dashboard page). */
  reach: ReachWatch;
}

/** The Fastify server with health, channel webhooks and the staff dashboard registered (not yet listening). */
export async function buildHttp(d: HttpDeps): Promise<FastifyInstance> {
  const { config, log } = d;
  const http = Fastify({
    loggerInstance: log.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: config.NODE_ENV !== 'development' }),
    // Each request's logger is bound to its id only when something logs through it (most never do).
    childLoggerFactory: requestLogger,
    // Behind a reverse proxy (TRUST_PROXY), its X-Forwarded-For gives the client's address for the
    // sign-in and web chat limits; otherwise a client could set that header to dodge them.
    trustProxy: trustProxyOption(config.TRUST_PROXY),
  });
  // Every other JSON body (web chat, staff API): parsed with the same depth limit.
  http.removeContentTypeParser('application/json');
  http.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
  registerNobodyBanner(http, () => d.reach.current());
  registerHsts(http, config.PUBLIC_URL);
  registerHealthRoutes(http, {
    redis: d.healthConnections,
    queues: d.queues,
    metrics: d.metrics,
    channels: () => [...d.adapters.values()].map((a): ChannelStatus => a.status()),
    safeguarding: () => d.reach.current(),
    metricsToken: config.METRICS_TOKEN,
    metricsOpen: config.NODE_ENV !== 'production',
  });
  for (const a of d.adapters.values()) await a.registerRoutes?.(http, d.adapterContext);
  await registerStaffRoutes(http, {
    changes: d.changes,
    config,
    redis: d.redis,
    keys: d.keys,
    alerts: d.built.alerts,
    adapters: d.adapters,
    queues: d.queues,
    members: d.built.members,
    requests: d.built.requests,
    groups: d.built.groups,
    conversations: d.built.conversations,
    log: log.child({ module: 'staff' }),
  });
  return http;
}
