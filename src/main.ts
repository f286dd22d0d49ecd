import type { ConnectionOptions, Job, Worker } from 'bullmq';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';
import { buildAdapters } from './adapters';
import type { ClientFactory as WhatsAppClientFactory } from './adapters/whatsapp-web';
import { usesDevelopmentSecrets, type Config } from './config';
import type { Adapter, ChannelStatus } from './adapters/kit/adapter';
import { AlertService, type AlertJob } from './domain/alerts/service';
import { AlertStore } from './domain/alerts/store';
import { Engine } from './engine/engine';
import { IdentityVault } from './engine/identity';
import { Ingest } from './engine/ingest';
import { Keys } from './engine/keys';
import { createLogger, type Logger } from './common/logger';
import type { ChannelName, InboundJob, OutboundJob } from './engine/message';
import { Metrics } from './common/metrics';
import { OUTBOX_JOB, Outbox } from './engine/outbox';
import { QUEUE_NAMES, Queues, createWorker, expireFinishedJobs } from './engine/queues';
import { defaultScreen, loadLexicon, createScreen } from './safeguarding';
import { Sender } from './engine/sender';
import type { Services } from './engine/services';
import { MemberStore } from './domain/members';
import { createRequestService, type RequestService } from './domain/requests';
import { sessionSafetyReminder } from './flows/online-safety/content';
import { StateStore } from './engine/state';
import { buildFlows } from './flows';
import { loadSafetyContent } from './flows/online-safety/content';
import { discreetText } from './flows/privacy/discreet';
import { dispatchTask, type TaskHandlers } from './engine/tasks';
import { RETENTION_TASK, RetentionSweep } from './domain/privacy/retention';
import { registerHealthRoutes } from './http/health';
import { parseJsonBody } from './http/json';
import { ChangeBus } from './engine/changes';
import { registerStaffRoutes } from './staff';
import { mailerFor, staffTargets } from './compose/alert-targets';
import { chatReach } from './domain/alerts/reach';
import { ReachWatch } from './domain/alerts/watch';
import { registerNobodyBanner } from './staff/nobody';
import { trustProxyOption } from './http/trust-proxy';
import { registerHsts } from './http/hsts';

/** Options for {@link startHaven} beyond the settings (tests use these). */
export interface StartOptions {
  logger?: Logger;
  /** Start the queue workers in this process (default true). */
  workers?: boolean;
  /** The clock flows see (tests control it). */
  now?: () => Date;
  /** Makes the whatsapp-web.js client (tests pass a fake; default the real one). */
  whatsappClientFactory?: WhatsAppClientFactory;
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
  stop(): Promise<void>;
}

/** How long `stop()` lets jobs in hand finish before closing everything hard (the CLI exits at 10 s). */
const SHUTDOWN_GRACE_MS = 8000;

/** Connection options for a BullMQ worker: it opens (and closes) its own blocking connection. */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, connectionName: 'haven:worker' };
}

/**
 * The composition root: settings → Redis → queues → adapters → engine → HTTP. Every connection
 * opened here is closed by `stop()`.
 */
export async function startHaven(config: Config, opts: StartOptions = {}): Promise<Haven> {
  const connections: Redis[] = [];
  try {
    return await composeHaven(config, opts, connections);
  } catch (err) {
    // A start that fails part-way leaves no connection open behind it.
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    throw err;
  }
}

async function composeHaven(config: Config, opts: StartOptions, connections: Redis[]): Promise<Haven> {
  const log = opts.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: config.NODE_ENV === 'development' });
  // A bad online-safety content file refuses start (buildFlows loads it again when workers run).
  loadSafetyContent(config.SAFETY_CONTENT_PATH);
  if (usesDevelopmentSecrets(config)) {
    log.warn(
      "ID_HASH_SECRET, DATA_ENCRYPTION_KEY or SESSION_SECRET not set: using development keys (never do this with real children's data)",
    );
  }
  // Staff-edited data files are checked before anything connects: a bad file refuses start.
  const lexicon = config.SAFEGUARDING_LEXICON_PATH ? loadLexicon(config.SAFEGUARDING_LEXICON_PATH) : undefined;
  const screen = lexicon ? createScreen(lexicon) : defaultScreen();
  const keys = new Keys(config.REDIS_PREFIX);
  const connect = (purpose: string, extra: RedisOptions = {}): Redis => {
    const r = new Redis(config.REDIS_URL, { connectionName: `haven:${purpose}`, lazyConnect: false, ...extra });
    r.on('error', (err) => log.warn({ purpose, err: { message: err.message } }, 'redis connection error'));
    connections.push(r);
    return r;
  };
  // Commands on the request path fail fast when Redis is down, so webhooks answer 503 at once.
  // Auto-pipelining batches the commands of concurrent requests into one socket write each tick.
  const redis = connect('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  await waitForRedis(redis, log);
  const workerConnection = workerConnectionOptions(config.REDIS_URL);

  const metrics = new Metrics({ defaults: true });
  // BullMQ producers get their own plain connection: auto-pipelining is not supported under BullMQ's scripts.
  const queueConnection = connect('queues', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await waitForRedis(queueConnection, log);
  // A concern's claim, its alert record and its alert job share a connection of their own, without
  // auto-pipelining: ioredis keeps one auto-pipeline in flight per connection, so on the shared
  // connections an alert would wait behind everyday traffic's batch before its own could leave.
  // One connection, so the record always reaches Redis before its job (AlertService.raise).
  const alertRedis = connect('alerts', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await waitForRedis(alertRedis, log);
  const queues = new Queues(
    queueConnection,
    keys,
    (queue, err) => log.warn({ queue, err: { message: err.message } }, 'queue connection error'),
    alertRedis,
  );
  const ttlSeconds = config.STATE_TTL_DAYS * 24 * 3600;
  const vault = new IdentityVault(redis, keys, config.idHashSecret, config.dataKey, ttlSeconds);
  const states = new StateStore(redis, keys, ttlSeconds, config.PREFERENCES_TTL_DAYS * 24 * 3600);
  const outbox = new Outbox(queues.outbound);
  // Channel identities become conversation ids; `email:` targets stay as they are.
  const staffIds = (ids: string[]) => staffTargets(ids, vault);
  const mailer = mailerFor(config);
  const adapters = new Map<ChannelName, Adapter>();
  const alertStore = new AlertStore(alertRedis, keys, config.idHashSecret);
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const alerts = new AlertService(
    alertStore,
    queues.alerts,
    // Staff are told on the alerts queue, not behind the replies waiting on the outbound queue.
    new Outbox(queues.alerts),
    {
      webhookUrl: config.ALERT_WEBHOOK_URL,
      webhookSecret: config.ALERT_WEBHOOK_SECRET,
      webhookIncludeText: config.ALERT_WEBHOOK_INCLUDE_TEXT,
      onDuty: staffIds(config.SAFEGUARDING_ON_DUTY),
      leads: staffIds(config.SAFEGUARDING_LEADS),
      escalationMs: config.ESCALATION_MINUTES * 60_000,
      urgentEscalationMs: config.ESCALATION_URGENT_MINUTES * 60_000,
      publicUrl,
      signingSecret: config.sessionSecret,
      mailer,
      canReach: chatReach({ channels: () => new Set(adapters.keys()), vault, redis, keys }),
    },
    log.child({ module: 'alerts' }),
    metrics,
  );
  const members = new MemberStore(redis, keys, {
    hashSecret: config.idHashSecret,
    joinCodeTtlDays: config.JOIN_CODE_TTL_DAYS,
    maxJoinFailuresAll: config.JOIN_FAILURES_PER_HOUR,
  });
  const safetyContent = loadSafetyContent(config.SAFETY_CONTENT_PATH);
  const requests = createRequestService({
    redis,
    keys,
    tasks: queues.tasks,
    outbox,
    log: log.child({ module: 'requests' }),
    timezone: config.TIMEZONE,
    reminderOffsetsMinutes: config.REMINDER_OFFSETS_MINUTES,
    retentionDays: config.REQUEST_RETENTION_DAYS,
    safetyReminder: (platform) => sessionSafetyReminder(safetyContent, platform),
    coordinatorWebhookUrl: config.COORDINATOR_WEBHOOK_URL,
    coordinatorWebhookSecret: config.COORDINATOR_WEBHOOK_SECRET,
    coordinatorIds: staffIds(config.COORDINATOR_IDS),
    mailer,
    publicUrl: config.PUBLIC_URL,
    optedOut: async (conversationId) => (await states.load(conversationId))?.optedOut ?? false,
  });
  const services: Services = {
    members,
    requests,
    alerts,
    chatHistory: {
      clear: async (conversationId) => {
        const adapter = adapters.get(IdentityVault.channelOf(conversationId));
        const address = adapter?.clearHistory ? await vault.getAddress(conversationId) : null;
        if (address) await adapter?.clearHistory?.(address);
      },
    },
    settings: {
      charityName: config.CHARITY_NAME,
      officeHours: config.OFFICE_HOURS,
      timezone: config.TIMEZONE,
      joinCodeTtlDays: config.JOIN_CODE_TTL_DAYS,
      refresherDays: config.REFRESHER_DAYS,
    },
  };
  /** Handlers for the `tasks` queue, by job name; modules add theirs. */
  const retention = new RetentionSweep({
    redis,
    keys,
    requests: requests.store,
    members,
    // Its hourly listing of every alert must not sit in front of a new alert's commands.
    alerts: new AlertStore(redis, keys),
    log: log.child({ module: 'retention' }),
  });
  const tasks: TaskHandlers = {
    ...requests.taskHandlers(),
    [RETENTION_TASK]: async () => {
      await retention.run();
    },
  };
  const ingest = new Ingest({
    redis,
    keys,
    queues,
    vault,
    screen,
    alerts,
    urgentRedis: alertRedis,
    dedupeTtlSeconds: config.DEDUPE_TTL_HOURS * 3600,
    ratePerMinute: config.INBOUND_RATE_PER_MINUTE,
    log: log.child({ module: 'ingest' }),
    metrics,
  });
  const adapterCtx = { accept: (m: Parameters<Ingest['accept']>[0]) => ingest.accept(m) };

  for (const a of buildAdapters({
    config,
    redis,
    connect: (p) => connect(p),
    keys,
    log,
    metrics,
    whatsappClientFactory: opts.whatsappClientFactory,
  }))
    adapters.set(a.name, a);

  // Live dashboard updates across processes: each service's changes go out over Redis pub/sub.
  const changes = new ChangeBus(
    redis,
    connect('changes-subscriber'),
    keys.custom('changes'),
    log.child({ module: 'changes' }),
  );
  await changes.start();
  alerts.onChange((e) => changes.publish('alerts', e));
  requests.onChange((c) => changes.publish('requests', { ...c }));

  const http = Fastify({
    loggerInstance: log.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: config.NODE_ENV !== 'development' }),
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
  // "Nobody can be told of an alert" is shouted: in the log, on /readyz and on every dashboard page.
  const reach = new ReachWatch(alerts, log.child({ module: 'alerts' }), config.ALERT_REACH_CHECK_SECONDS * 1000);
  await reach.start();
  registerNobodyBanner(http, () => reach.current());
  registerHsts(http, config.PUBLIC_URL);
  registerHealthRoutes(http, {
    redis: [redis, queueConnection, alertRedis],
    queues,
    metrics,
    channels: () => [...adapters.values()].map((a): ChannelStatus => a.status()),
    safeguarding: () => reach.current(),
    metricsToken: config.METRICS_TOKEN,
    metricsOpen: config.NODE_ENV !== 'production',
  });
  for (const a of adapters.values()) await a.registerRoutes?.(http, adapterCtx);
  await registerStaffRoutes(http, {
    changes,
    config,
    redis,
    keys,
    alerts,
    adapters,
    queues,
    members,
    requests,
    log: log.child({ module: 'staff' }),
  });

  const workers: Worker[] = [];
  // HAVEN_ROLE=web serves HTTP and queues what arrives; HAVEN_ROLE=worker (or all) also runs the
  // queue workers and the long-lived channel clients (WhatsApp Web), so web and worker processes
  // can be scaled and scheduled on separate cores.
  const runsWorkers = config.HAVEN_ROLE !== 'web' && opts.workers !== false;
  if (runsWorkers) {
    const engine = new Engine({
      redis,
      keys,
      states,
      outbox,
      services,
      flows: buildFlows({
        safetyContentPath: config.SAFETY_CONTENT_PATH,
        stateDays: config.STATE_TTL_DAYS,
        requestDays: config.REQUEST_RETENTION_DAYS,
        preferencesDays: config.PREFERENCES_TTL_DAYS,
      }),
      log: log.child({ module: 'engine' }),
      metrics,
      handledTtlSeconds: config.DEDUPE_TTL_HOURS * 3600,
      now: opts.now,
    });
    const sender = new Sender({
      adapters,
      vault,
      redis,
      keys,
      log: log.child({ module: 'sender' }),
      metrics,
      states,
      discreet: (m, purpose) => discreetText(m, { hide: [config.CHARITY_NAME], purpose }),
      // A booking, reminder or staff message that cannot reach the young person shows on its request.
      onUndeliverable: (job, reason) => requests.recordUndelivered(job.cause, reason),
      // An alert's staff target counts as told only when the platform accepted its message.
      onOutcome: (outcome) => alerts.reportSend(outcome),
      // Alert notices are written when sent: the alerts queue holds ids, not a child's words.
      render: (owner) => alerts.renderNotice(owner),
    });
    // A job whose worker died is taken up again once its lock lapses (BullMQ stalled-job check).
    const lockOptions = {
      lockDuration: config.QUEUE_LOCK_SECONDS * 1000,
      stalledInterval: config.QUEUE_LOCK_SECONDS * 1000,
    };
    // A send job records how many parts went, so a retry resumes after the last one sent.
    const send = (job: Job<OutboundJob>) =>
      sender.send(job.data, (sentParts) => job.updateData({ ...job.data, sentParts }));
    workers.push(
      // The alerts queue holds alert deliveries and escalations ('deliver') and the chat messages
      // they send to staff ('send', the outbound queue's job shape).
      createWorker<AlertJob | OutboundJob>(
        QUEUE_NAMES.alerts,
        (job) => (job.name === OUTBOX_JOB ? send(job as Job<OutboundJob>) : alerts.deliver(job.data as AlertJob)),
        workerConnection,
        keys,
        { concurrency: 10, ...lockOptions },
      ),
      createWorker<InboundJob>(QUEUE_NAMES.inbound, (job) => engine.handle(job.data), workerConnection, keys, {
        concurrency: 50,
        ...lockOptions,
      }),
      createWorker<OutboundJob>(QUEUE_NAMES.outbound, send, workerConnection, keys, {
        concurrency: 50,
        ...lockOptions,
      }),
      createWorker(QUEUE_NAMES.tasks, dispatchTask(tasks), workerConnection, keys, { concurrency: 10, ...lockOptions }),
    );
    await RetentionSweep.schedule(queues.tasks, config.RETENTION_SWEEP_MINUTES * 60_000);
    for (const w of workers) {
      w.on('failed', (job, err) =>
        log.warn(
          { queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: { name: err.name, message: err.message } },
          'job failed',
        ),
      );
      w.on('error', (err) => log.warn({ queue: w.name, err: { message: err.message } }, 'worker error'));
      expireFinishedJobs(w, queueConnection, keys);
    }
  }

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
    a.start?.(adapterCtx).catch((err: Error) =>
      log.error({ channel: a.name, err: { message: err.message } }, 'channel failed to start'),
    );
  }
  const addr = http.server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : publicUrl;
  log.info(
    { port: typeof addr === 'object' && addr ? addr.port : config.PORT, channels: [...adapters.keys()] },
    'Haven is listening',
  );

  let stopping: Promise<void> | undefined;
  const graceful = async () => {
    for (const a of adapters.values())
      await a
        .stop?.()
        .catch((err: Error) => log.warn({ channel: a.name, err: { message: err.message } }, 'channel stop failed'));
    reach.stop();
    mailer?.close();
    await http.close();
    await Promise.all(workers.map((w) => w.close()));
    await queues.close();
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  };
  // A connection stuck reconnecting (its quit() waits for Redis) or a stream still open must not
  // hold shutdown for ever: after the grace period everything is closed hard.
  const force = async () => {
    log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown grace period over; closing everything now');
    http.server.closeAllConnections();
    await Promise.all(workers.map((w) => w.close(true).catch(() => undefined)));
    for (const c of connections) c.disconnect();
  };
  const stop = () =>
    (stopping ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<'overdue'>((resolve) => {
        timer = setTimeout(() => resolve('overdue'), SHUTDOWN_GRACE_MS);
      });
      const outcome = await Promise.race([graceful().then(() => 'done' as const), overdue]);
      clearTimeout(timer);
      if (outcome === 'overdue') await force();
      log.info('Haven stopped');
    })());

  return {
    config,
    http,
    url,
    redis,
    keys,
    queues,
    vault,
    alerts,
    ingest,
    adapters,
    log,
    metrics,
    members,
    requests,
    stop,
  };
}

async function waitForRedis(redis: Redis, log: Logger): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (redis.status !== 'ready') await new Promise((r) => setTimeout(r, 100));
      await redis.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        log.error(
          { err: { message: (err as Error).message } },
          'Redis is not answering; starting anyway, /readyz will say 503',
        );
        return;
      }
    }
  }
}
