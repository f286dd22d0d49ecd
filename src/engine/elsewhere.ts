import { DelayedError, type Job } from 'bullmq';
import { DrivenElsewhereError } from '../common/errors';

/**
 * How long a job may keep being handed back for the process that drives its channel before it
 * spends its attempts as any failure does (a driving process that never comes back).
 */
export const HAND_BACK_FOR_MS = 60 * 60_000;

/**
 * Runs a send job's work; when the channel is driven by another process
 * ({@link DrivenElsewhereError}: this worker's WhatsApp Web is standing by), puts the job back
 * as delayed for a moment without spending an attempt, so that with any number of worker
 * processes it reaches the one holding the session instead of running out of retries on the others.
 */
export async function handBackIfElsewhere<T>(job: Job, token: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DrivenElsewhereError && token && Date.now() - job.timestamp < HAND_BACK_FOR_MS) {
      await job.moveToDelayed(Date.now() + (err.retryAfterMs ?? 1000), token);
      throw new DelayedError();
    }
    throw err;
  }
}
