import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DrivenElsewhereError, PlatformUnavailableError } from '../../src/common/errors';
import { HAND_BACK_FOR_MS, handBackIfElsewhere } from '../../src/engine/elsewhere';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

/**
 * A send job that lands on a worker process whose WhatsApp Web is standing by goes back on the
 * queue without spending an attempt, however many times; any other failure spends one.
 */
describe('handing a job back for the process that drives its channel', () => {
  const prefix = uniquePrefix('elsewhere');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('sends', { connection, prefix });
  const events = new QueueEvents('sends', { connection: { url: REDIS_URL }, prefix });
  let worker: Worker | undefined;

  /** A worker that fails each job `failures` times with `error`, then succeeds. */
  const start = (failures: number, error: () => Error) => {
    const calls = new Map<string, number>();
    worker = new Worker(
      'sends',
      (job: Job, token?: string) =>
        handBackIfElsewhere(job, token, async () => {
          const n = (calls.get(job.id!) ?? 0) + 1;
          calls.set(job.id!, n);
          if (n <= failures) throw error();
          return `sent after ${n}`;
        }),
      { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix, concurrency: 5 },
    );
    return calls;
  };

  beforeAll(async () => {
    await events.waitUntilReady();
  });
  afterEach(async () => {
    await worker?.close();
  });
  afterAll(async () => {
    await queue.close();
    await events.close();
    await connection.quit();
    await cleanupPrefix(prefix);
  });

  it('hands back more times than the job has attempts, and it is still sent', async () => {
    start(6, () => new DrivenElsewhereError('driven by another process', 10));
    const job = await queue.add('send', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    await expect(job.waitUntilFinished(events, 30_000)).resolves.toBe('sent after 7');
    const done = await queue.getJob(job.id!);
    expect(done?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it('any other failure spends attempts as before (the job fails after its 2)', async () => {
    start(6, () => new PlatformUnavailableError('network down'));
    const job = await queue.add('send', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow(/network down/);
  });

  it(`a job older than ${HAND_BACK_FOR_MS / 60_000} minutes spends its attempts even when driven elsewhere`, async () => {
    start(6, () => new DrivenElsewhereError('driven by another process', 10));
    const job = await queue.add(
      'send',
      {},
      { attempts: 2, backoff: { type: 'fixed', delay: 10 }, timestamp: Date.now() - HAND_BACK_FOR_MS - 1000 },
    );
    await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow(/driven by another process/);
  });
});
