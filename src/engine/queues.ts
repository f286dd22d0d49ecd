import { createHash } from 'node:crypto';
import {
  Queue,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import { HavenError, PlatformRefusedError, PlatformUnavailableError } from '../common/errors';
import type { Keys } from './keys';
import { LuaScript } from '../common/script';

/** BullMQ queue names. `alerts` is its own queue so nothing else can hold up a safeguarding alert. */
export const QUEUE_NAMES = {
  inbound: 'inbound',
  outbound: 'outbound',
  alerts: 'alerts',
  /** Coordinator notifications, reminders, retention sweeps: everything that is not a reply. */
  tasks: 'tasks',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * Retries with exponential backoff from 1 s, capped at 5 minutes: 15 attempts span about 45
 * minutes, long enough to ride out a platform or channel outage (WhatsApp reconnecting, a webhook
 * receiver down). A platform's Retry-After wins when it gave one.
 * Completed jobs are kept an hour, no longer: their ids fold a repeated add of the same job (an
 * outbox retry must not send twice), and their data may hold what someone wrote. Failed ones are
 * kept a day for an admin to see in the queue board, then removed.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 15,
  backoff: { type: 'haven' },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 24 * 3600 },
};

/** Backoff: the platform's Retry-After when it gave one, else 1 s, 2 s, 4 s ... capped at 5 minutes. */
export function backoffDelay(attemptsMade: number, err?: Error): number {
  const retryAfter =
    err instanceof PlatformRefusedError
      ? err.details.retryAfterMs
      : err instanceof PlatformUnavailableError
        ? err.retryAfterMs
        : undefined;
  if (retryAfter !== undefined) return Math.min(retryAfter, 15 * 60_000);
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 5 * 60_000);
}

/** A BullMQ job id from parts that may contain characters BullMQ refuses (`:`), stable for the same parts. */
export function jobId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27);
}

/** The producer side of Haven's queues, sharing one Redis connection. */
export class Queues {
  readonly inbound: Queue;
  readonly outbound: Queue;
  readonly alerts: Queue;
  readonly tasks: Queue;

  /**
   * `onError` hears connection errors (without a listener BullMQ prints them to the console).
   * `alertsConnection`: the alerts queue's own connection, so an alert's add never waits behind
   * other queues' adds on the shared one (default: the shared one).
   */
  constructor(
    connection: Redis,
    keys: Keys,
    onError: (queue: string, err: Error) => void = () => undefined,
    alertsConnection: Redis = connection,
  ) {
    const opts = {
      connection,
      prefix: keys.queuePrefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
      skipWaitingForReady: true,
    };
    this.inbound = new Queue(QUEUE_NAMES.inbound, opts);
    this.outbound = new Queue(QUEUE_NAMES.outbound, opts);
    this.alerts = new Queue(QUEUE_NAMES.alerts, { ...opts, connection: alertsConnection });
    this.tasks = new Queue(QUEUE_NAMES.tasks, opts);
    for (const q of this.all()) q.on('error', (err) => onError(q.name, err));
  }

  all(): Queue[] {
    return [this.inbound, this.outbound, this.alerts, this.tasks];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }
}

/** KEYS: finished jobs' hashes and their logs. ARGV: their TTL in seconds. Each key gets the TTL. */
const EXPIRE_JOBS = new LuaScript(`
for i = 1, #KEYS do
  redis.call('expire', KEYS[i], ARGV[1])
end
return #KEYS
`);

/** How long finished jobs' ids are gathered before their TTLs are set in one command. */
const EXPIRE_BATCH_MS = 20;

/**
 * A Redis TTL on every finished job's hash (and its log): completed ones an hour, failed ones (retries
 * spent) a day, as DEFAULT_JOB_OPTIONS says. BullMQ's own age-based removal only runs when another job
 * finishes, so without this a job holding someone's words could stay for ever on a quiet queue. A job
 * removed on completion (`removeOnComplete: true`, as inbound messages are) has no hash left to expire.
 * Ids finishing within a few ms of each other are expired together, in one command.
 */
export function expireFinishedJobs(worker: Worker, redis: Redis, keys: Keys): void {
  const pending = new Map<number, string[]>();
  const flush = (seconds: number) => {
    const ids = pending.get(seconds) ?? [];
    pending.delete(seconds);
    if (!ids.length) return;
    // Each job's hash and its log, both named (a script declares every key it touches).
    const jobKeys = ids.flatMap((id) => {
      const job = `${keys.queuePrefix}:${worker.name}:${id}`;
      return [job, `${job}:logs`];
    });
    EXPIRE_JOBS.run(redis, jobKeys.length, ...jobKeys, String(seconds)).catch(() => undefined);
  };
  const expire = (id: string | undefined, seconds: number) => {
    if (!id) return;
    let ids = pending.get(seconds);
    if (!ids) {
      ids = [];
      pending.set(seconds, ids);
      setTimeout(() => flush(seconds), EXPIRE_BATCH_MS).unref();
    }
    ids.push(id);
  };
  worker.on('completed', (job) => {
    if (job.opts.removeOnComplete !== true) expire(job.id, 3600);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const spent = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    if (spent) expire(job.id, 24 * 3600);
  });
}

/** Options to start a worker: its own connection (BullMQ opens and closes it), Haven's backoff. */
export function createWorker<T, R = unknown>(
  name: QueueName,
  processor: Processor<T, R>,
  connection: ConnectionOptions,
  keys: Keys,
  opts: Partial<WorkerOptions> = {},
): Worker<T, R> {
  return new Worker<T, R>(name, processor, {
    connection,
    prefix: keys.queuePrefix,
    concurrency: 20,
    settings: { backoffStrategy: (attempts, _type, err) => backoffDelay(attempts, err) },
    ...opts,
  });
}

/**
 * One queue's jobs by name, each name with its own data type: `{ send: OutboundJob; deliver: AlertJob }`
 * gives a handler per name that receives that job's data already typed (no `job.name === ... ? ... as`).
 */
export type JobRoutes<M extends object> = {
  [N in keyof M & string]: (data: M[N], job: Job<M[N]>, token?: string) => Promise<unknown>;
};

/**
 * A worker's processor that runs the handler named by the job. A job with a name nobody handles can
 * never succeed, so it fails at once without retries (BullMQ `UnrecoverableError`).
 */
export function routeJobs<M extends object>(queue: QueueName, routes: JobRoutes<M>): Processor<M[keyof M]> {
  const table = routes as Record<string, (data: unknown, job: Job, token?: string) => Promise<unknown>>;
  return async (job, token) => {
    const handler = Object.hasOwn(table, job.name) ? table[job.name] : undefined;
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on the ${queue} queue`);
    try {
      return await handler(job.data, job as Job, token);
    } catch (err) {
      // A failure marked permanent (a 404 from a webhook) is not retried for 45 minutes.
      if (err instanceof HavenError && err.permanent)
        throw Object.assign(new UnrecoverableError(err.message), { cause: err, code: err.code });
      throw err;
    }
  };
}
