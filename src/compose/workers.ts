import type { Job, Worker } from 'bullmq';
import type { Config } from '../config';
import { errorFields } from '../common/errors';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import type { Adapter } from '../adapters/kit/adapter';
import { ALERT_JOB, type AlertJob } from '../domain/alerts/service';
import { RetentionSweep } from '../domain/privacy/retention';
import { Engine } from '../engine/engine';
import type { Keys } from '../engine/keys';
import { INBOUND_JOB, type ChannelName, type InboundJob, type OutboundJob } from '../engine/message';
import { OUTBOX_JOB } from '../engine/outbox';
import { QUEUE_NAMES, createWorker, expireFinishedJobs, routeJobs, type Queues } from '../engine/queues';
import { Sender } from '../engine/sender';
import { dispatchTask } from '../engine/tasks';
import { buildFlows } from '../flows';
import type { SafetyContent } from '../flows/online-safety/content';
import { discreetText } from '../flows/privacy/discreet';
import type { Redis } from 'ioredis';
import type { BuiltServices } from './services';
import { workerConnectionOptions } from './connections';
import { isCluster } from '../common/redis-connection';
import { handBackIfElsewhere } from '../engine/elsewhere';
import type { RedisOptions } from 'ioredis';

/** What the queue workers run over. */
export interface WorkerDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  keys: Keys;
  redis: Redis;
  queues: Queues;
  built: BuiltServices;
  adapters: Map<ChannelName, Adapter>;
  safety: SafetyContent;
  /** The clock flows see (tests control it). */
  now?: () => Date;
  /** Opens a connection that Haven's stop() closes (on a cluster the workers share one Cluster client). */
  connect: (purpose: string, extra?: RedisOptions) => Redis;
}

/** The jobs each queue carries, by job name: the worker for that queue routes on these. */
export interface AlertsQueueJobs {
  /** An alert's delivery or escalation. */
  [ALERT_JOB]: AlertJob;
  /** A chat message to a member of staff (the outbound queue's job shape). */
  [OUTBOX_JOB]: OutboundJob;
}
export interface InboundQueueJobs {
  [INBOUND_JOB]: InboundJob;
}
export interface OutboundQueueJobs {
  [OUTBOX_JOB]: OutboundJob;
}

/**
 * Starts the engine, the sender and one worker per queue, each with a typed job router, and
 * schedules the retention sweep. Returns the workers (the caller closes them).
 */
export async function startWorkers(d: WorkerDeps): Promise<Worker[]> {
  const { config, log, metrics, keys, redis, built } = d;
  // On a cluster, BullMQ's workers share one Cluster client (they duplicate it for their blocking reads).
  const connection = isCluster(config)
    ? d.connect('worker', { maxRetriesPerRequest: null })
    : workerConnectionOptions(config.REDIS_URL);
  const engine = new Engine({
    redis,
    keys,
    states: built.states,
    outbox: built.outbox,
    services: built.services,
    flows: buildFlows({
      safety: d.safety,
      stateDays: config.STATE_TTL_DAYS,
      requestDays: config.REQUEST_RETENTION_DAYS,
      preferencesDays: config.PREFERENCES_TTL_DAYS,
      groupDays: config.GROUP_RETENTION_DAYS,
      conversationDays: config.CONVERSATION_RETENTION_DAYS,
    }),
    log: log.child({ module: 'engine' }),
    metrics,
    handledTtlSeconds: config.DEDUPE_TTL_HOURS * 3600,
    now: d.now,
  });
  const sender = new Sender({
    adapters: d.adapters,
    vault: built.vault,
    redis,
    keys,
    log: log.child({ module: 'sender' }),
    metrics,
    states: built.states,
    discreet: (m, purpose) => discreetText(m, { hide: [config.CHARITY_NAME], purpose }),
    // A booking, reminder or staff message that cannot reach the young person shows on its request.
    onUndeliverable: async (job, reason) => {
      await built.requests.recordUndelivered(job.cause, reason);
      await built.groups.recordUndelivered(job.cause, reason);
      // A staff reply or hand-over notice from the inbox shows as not delivered in its thread.
      await built.conversations.recordUndelivered(job.cause, reason);
    },
    // An alert's staff target counts as told only when the platform accepted its message.
    onOutcome: (outcome) => built.alerts.reportSend(outcome),
    // Alert notices are written when sent: the alerts queue holds ids, not a child's words.
    render: (owner) => built.alerts.renderNotice(owner),
  });
  // A job whose worker died is taken up again once its lock lapses (BullMQ stalled-job check).
  const lockOptions = {
    lockDuration: config.QUEUE_LOCK_SECONDS * 1000,
    stalledInterval: config.QUEUE_LOCK_SECONDS * 1000,
  };
  // A send job records how many parts went, so a retry resumes after the last one sent; each part
  // carries the job's queue and id, so a re-run of a job whose last part went (Redis lost before it
  // was marked done) does not deliver it twice where the channel can tell. A job for a channel driven
  // by another process (WhatsApp Web) is handed back for that process.
  const send = (data: OutboundJob, job: Job<OutboundJob>, token?: string) =>
    handBackIfElsewhere(job, token, () =>
      sender.send(data, (sentParts) => job.updateData({ ...data, sentParts }), `${job.queueName}:${job.id}`),
    );
  const workers: Worker[] = [
    createWorker(
      QUEUE_NAMES.alerts,
      routeJobs<AlertsQueueJobs>(QUEUE_NAMES.alerts, {
        [ALERT_JOB]: (job) => built.alerts.deliver(job),
        [OUTBOX_JOB]: send,
      }),
      connection,
      keys,
      { concurrency: 10, ...lockOptions },
    ),
    createWorker(
      QUEUE_NAMES.inbound,
      routeJobs<InboundQueueJobs>(QUEUE_NAMES.inbound, { [INBOUND_JOB]: (job) => engine.handle(job) }),
      connection,
      keys,
      { concurrency: 50, ...lockOptions },
    ),
    createWorker(
      QUEUE_NAMES.outbound,
      routeJobs<OutboundQueueJobs>(QUEUE_NAMES.outbound, { [OUTBOX_JOB]: send }),
      connection,
      keys,
      {
        concurrency: 50,
        ...lockOptions,
      },
    ),
    createWorker(QUEUE_NAMES.tasks, dispatchTask(built.tasks), connection, keys, { concurrency: 10, ...lockOptions }),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) =>
      log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: errorFields(err) }, 'job failed'),
    );
    w.on('error', (err) => log.warn({ queue: w.name, err: errorFields(err) }, 'worker error'));
    // A finished job's hash gets a real Redis TTL (it may hold a reply's text until it expires).
    expireFinishedJobs(w, redis, keys);
  }
  await RetentionSweep.schedule(d.queues.tasks, config.RETENTION_SWEEP_MINUTES * 60_000);
  return workers;
}
