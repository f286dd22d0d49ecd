import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { CHANNELS, buildAdapters, type ChannelList } from '../adapters/registry';
import type { Adapter } from '../adapters/kit/adapter';
import type { ClientFactory as WhatsAppClientFactory } from '../adapters/whatsapp-web';
import { usesDevelopmentSecrets, type Config } from '../config';
import { errorFields } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import { Metrics } from '../common/metrics';
import type { AlertService } from '../domain/alerts/service';
import type { MemberStore } from '../domain/members';
import type { RequestService } from '../domain/requests';
import { ChangeBus } from '../engine/changes';
import { IdentityVault } from '../engine/identity';
import { Ingest } from '../engine/ingest';
import { Keys } from '../engine/keys';
import type { ChannelName } from '../engine/message';
import { Queues } from '../engine/queues';
import { loadSafetyContent } from '../flows/online-safety/content';
import { createScreen, defaultScreen, loadLexicon } from '../safeguarding';
import { Connections, openCoreConnections } from './connections';
import { ReachWatch } from '../domain/alerts/watch';
import { redisKeyPrefix } from '../common/redis-connection';
import type { GroupService } from '../domain/groups';
import type { ConversationService } from '../domain/conversations';
import { buildHttp } from './http';
import { createStop, type ShutdownStep } from './lifecycle';
import { buildServices, publicUrlOf } from './services';
import { startWorkers } from './workers';

export { workerConnectionOptions } from './connections';

/** Options for {@link startHaven} beyond the settings (tests use these). */
export interface StartOptions {
  logger?: Logger;
  /** Start the queue workers in this process (default true). */
  workers?: boolean;
  /** The clock flows see (tests control it). */
  now?: () => Date;
  /** Makes the whatsapp-web.js client (tests pass a fake; default the real one). */
  whatsappClientFactory?: WhatsAppClientFactory;
  /** The channels (default the registry's; a test adds its own test-only channel). */
  channels?: ChannelList;
}

/** A running Haven: its HTTP server, internals for tests, and a `stop()` that closes everything. */
export interface Haven {
  config: Config;
  http: FastifyInstance;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  redis: Redis;
  keys: Keys;
  queues: Queues;
  vault: IdentityVault;
  alerts: AlertService;
  ingest: Ingest;
  adapters: Map<ChannelName, Adapter>;
  log: Logger;
  metrics: Metrics;
  /** Members, consent, join codes and channel links. */
  members: MemberStore;
  /** The coordinator's queue of one-to-one requests (the dashboard builds on it). */
  requests: RequestService;
  /** Peer support group sessions. */
  groups: GroupService;
  /** The staff inbox (conversations with a person, hand-over). */
  conversations: ConversationService;
  /** Runs every shutdown step even when one fails; rejects with a ShutdownError naming each failure. */
  stop(): Promise<void>;
}

/** How long `stop()` lets jobs in hand finish before closing everything hard (the CLI exits at 10 s). */
const SHUTDOWN_GRACE_MS = 8000;

/**
 * The composition root: settings → Redis → queues → services → adapters → HTTP → workers. Every
 * connection opened here is closed by `stop()`; a start that fails part-way closes what it opened.
 */
export async function startHaven(config: Config, opts: StartOptions = {}): Promise<Haven> {
  const log = opts.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: config.NODE_ENV === 'development' });
  const connections = new Connections(config, log);
  try {
    return await composeHaven(config, opts, log, connections);
  } catch (err) {
    await connections.closeAll();
    throw err;
  }
}

async function composeHaven(config: Config, opts: StartOptions, log: Logger, connections: Connections): Promise<Haven> {
  // Staff-edited data files are read once, before anything connects: a bad file refuses start.
  const safety = loadSafetyContent(config.SAFETY_CONTENT_PATH);
  if (usesDevelopmentSecrets(config)) {
    log.warn(
      "ID_HASH_SECRET, DATA_ENCRYPTION_KEY or SESSION_SECRET not set: using development keys (never do this with real children's data)",
    );
  }
  const lexicon = config.SAFEGUARDING_LEXICON_PATH ? loadLexicon(config.SAFEGUARDING_LEXICON_PATH) : undefined;
  const screen = lexicon ? createScreen(lexicon) : defaultScreen();
  // On a Redis Cluster the prefix is a hash tag ({haven}): every key in one slot (src/common/redis-connection.ts).
  const keys = new Keys(redisKeyPrefix(config));
  const core = await openCoreConnections(connections, log);
  const { redis } = core;
  const metrics = new Metrics({ defaults: true });
  const queues = new Queues(
    core.queues,
    keys,
    (queue, err) => log.warn({ queue, err: errorFields(err) }, 'queue connection error'),
    core.alerts,
  );
  const now = opts.now;
  const clockMs = now ? () => now().getTime() : undefined;
  const adapters = new Map<ChannelName, Adapter>();
  const built = buildServices({
    channels: () => new Set(adapters.keys()),
    config,
    log,
    metrics,
    keys,
    redis,
    alertRedis: core.alerts,
    queues,
    safety,
    now: clockMs,
  });
  const ingest = new Ingest({
    redis,
    keys,
    queues,
    vault: built.vault,
    screen,
    alerts: built.alerts,
    urgentRedis: core.alerts,
    queueRedis: core.queues,
    dedupeTtlSeconds: config.DEDUPE_TTL_HOURS * 3600,
    ratePerMinute: config.INBOUND_RATE_PER_MINUTE,
    log: log.child({ module: 'ingest' }),
    metrics,
    now: clockMs,
  });
  const adapterContext = { accept: (m: Parameters<Ingest['accept']>[0]) => ingest.accept(m) };

  const channels = opts.channels ?? CHANNELS;
  const hooks = opts.whatsappClientFactory ? { whatsapp: opts.whatsappClientFactory } : undefined;
  const channelDeps = {
    redis,
    connect: (p: string) => connections.open(p),
    keys,
    log,
    metrics,
    hooks,
    addressKey: (address: string) => built.vault.originKey(address),
  };
  for (const a of buildAdapters(config, { ...channelDeps, charityName: config.CHARITY_NAME }, channels))
    adapters.set(a.name, a);

  // "delete my data" clears the replies a channel keeps for the device (the web chat's backlog) at once.
  built.services.chatHistory = {
    clear: async (conversationId) => {
      const adapter = adapters.get(IdentityVault.channelOf(conversationId));
      const address = adapter?.clearHistory ? await built.vault.getAddress(conversationId) : null;
      if (address) await adapter?.clearHistory?.(address);
    },
  };

  // Live dashboard updates across processes: each service's changes go out over Redis pub/sub.
  const changes = new ChangeBus(
    redis,
    connections.open('changes-subscriber'),
    keys.changes(),
    log.child({ module: 'changes' }),
  );
  await changes.start();
  built.alerts.onChange((e) => changes.publish('alerts', e));
  built.requests.onChange((c) => changes.publish('requests', { ...c }));
  built.conversations.onChange((c) => changes.publish('conversations', { ...c }));

  // "Nobody can be told of an alert" is shouted: in the log, on /readyz and on every dashboard page.
  const reach = new ReachWatch(built.alerts, log.child({ module: 'alerts' }), config.ALERT_REACH_CHECK_SECONDS * 1000);
  await reach.start();
  const http = await buildHttp({
    reach,
    config,
    log,
    metrics,
    keys,
    redis,
    healthConnections: [redis, core.queues, core.alerts],
    queues,
    built,
    adapters,
    adapterContext,
    changes,
  });

  // HAVEN_ROLE=web serves HTTP and queues what arrives; HAVEN_ROLE=worker (or all) also runs the
  // queue workers and the long-lived channel clients (WhatsApp Web), so web and worker processes
  // can be scaled and scheduled on separate cores.
  const runsWorkers = config.HAVEN_ROLE !== 'web' && opts.workers !== false;
  const workers: Worker[] = runsWorkers
    ? await startWorkers({
        config,
        log,
        metrics,
        keys,
        redis,
        queues,
        built,
        adapters,
        safety,
        now: opts.now,
        connect: (p, extra) => connections.open(p, extra),
      })
    : [];

  try {
    await http.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    // The port is taken (or the like): close what was started so the process ends, rather than
    // leaving workers running against a shared Redis with no way in.
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
    await queues.close().catch(() => undefined);
    await http.close().catch(() => undefined);
    throw err;
  }

  for (const a of config.HAVEN_ROLE === 'web' ? [] : adapters.values()) {
    // A channel that fails to start never takes the others down; its status says why.
    a.start?.(adapterContext).catch((err: unknown) =>
      log.error({ channel: a.name, err: errorFields(err) }, 'channel failed to start'),
    );
  }
  const addr = http.server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : publicUrlOf(config);
  log.info(
    { port: typeof addr === 'object' && addr ? addr.port : config.PORT, channels: [...adapters.keys()] },
    'Haven is listening',
  );

  const graceful: ShutdownStep[] = [
    ...[...adapters.values()].map((a) => ({ name: `stop channel ${a.name}`, run: () => a.stop?.() })),
    { name: 'close the HTTP server', run: () => http.close() },
    ...workers.map((w) => ({ name: `close the ${w.name} worker`, run: () => w.close() })),
    { name: 'close the queues', run: () => queues.close() },
    { name: 'stop the alert reach check', run: () => reach.stop() },
    { name: 'close the mailer', run: () => built.mailer?.close() },
    { name: 'close the Redis connections', run: () => connections.closeAll() },
  ];
  // A connection stuck reconnecting (its quit() waits for Redis) or a stream still open must not
  // hold shutdown for ever: after the grace period everything is closed hard.
  const force: ShutdownStep[] = [
    { name: 'drop HTTP connections', run: () => http.server.closeAllConnections() },
    ...workers.map((w) => ({ name: `force-close the ${w.name} worker`, run: () => w.close(true) })),
    { name: 'drop the Redis connections', run: () => connections.disconnectAll() },
  ];
  const stop = createStop({ graceful, force, graceMs: SHUTDOWN_GRACE_MS, log });

  return {
    config,
    http,
    url,
    redis,
    keys,
    queues,
    vault: built.vault,
    alerts: built.alerts,
    ingest,
    adapters,
    log,
    metrics,
    members: built.members,
    requests: built.requests,
    groups: built.groups,
    conversations: built.conversations,
    stop,
  };
}
