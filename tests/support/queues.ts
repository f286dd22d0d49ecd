import type { Queue } from 'bullmq';
import type { Queues } from '../../src/engine/queues';
import { waitFor } from './util';

/** Job states that mean a job has still to run (or is running; a paused queue's jobs are waiting). */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** Which of Haven's queues to wait on; upstream first (inbound and tasks feed outbound). */
export type QueuePick = 'inbound' | 'tasks' | 'alerts' | 'outbound';
const ORDER: QueuePick[] = ['inbound', 'tasks', 'alerts', 'outbound'];

/**
 * Jobs still to run on one queue, by the queue's own counts. A job scheduler's next run (the
 * retention sweep, every few hours) is a delayed job that is always there: it is not counted.
 */
export async function pendingJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...PENDING);
  let pending = PENDING.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
  if (counts.delayed) {
    const delayed = await queue.getDelayed();
    pending -= delayed.filter((j) => j.repeatJobKey || String(j.id).startsWith('repeat:')).length;
  }
  return pending;
}

/**
 * Waits until Haven's queues are drained: on each of them, by BullMQ's own counts, no job waiting,
 * active or delayed (a paused queue's jobs count as waiting). Only then does "nothing more came" mean anything: a duplicate reply, a
 * second alert or a late escalation would still be a job on one of these queues.
 *
 * The queues are read upstream first, twice in a row: a job that hands work on (inbound to
 * outbound) adds it before it completes, so it is never missed between two reads.
 *
 * `only` narrows it (an alert waiting to escalate is a delayed job on `alerts`, on purpose).
 */
export async function waitForDrained(
  haven: { queues: Queues },
  { only = ORDER, ms = 30_000 }: { only?: QueuePick[]; ms?: number } = {},
): Promise<void> {
  const queues = ORDER.filter((name) => only.includes(name)).map((name) => haven.queues[name]);
  let quietReads = 0;
  let last: string[] = [];
  await waitFor(
    async () => {
      last = [];
      for (const q of queues) {
        const n = await pendingJobs(q);
        if (n) last.push(`${q.name}: ${n}`);
      }
      quietReads = last.length === 0 ? quietReads + 1 : 0;
      return quietReads >= 2;
    },
    ms,
    `the ${only.join(', ')} queue(s) to be drained`,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (jobs still to run: ${last.join(', ')})`, { cause: err });
  });
}

/**
 * Jobs that failed for good on Haven's queues (attempts spent, or failed as unrecoverable), by queue,
 * id, name and reason: a failed inbound or outbound job is a message or reply that reached nobody.
 * Reasons are BullMQ's or Haven's error messages, which never hold a young person's words.
 */
export async function failedJobs(
  haven: { queues: Queues },
  only: QueuePick[] = ORDER,
): Promise<{ queue: string; id: string; name: string; reason: string }[]> {
  const out: { queue: string; id: string; name: string; reason: string }[] = [];
  for (const name of ORDER.filter((n) => only.includes(n))) {
    const q = haven.queues[name];
    for (const job of await q.getFailed()) {
      if (job) out.push({ queue: q.name, id: String(job.id), name: job.name, reason: job.failedReason });
    }
  }
  return out;
}
