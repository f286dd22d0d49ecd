import type { Job } from 'bullmq';

/**
 * Handlers for jobs on the `tasks` queue, by job name (coordinator notifications, session
 * reminders, retention sweeps...). Modules register theirs in main.ts.
 */
export type TaskHandlers = Record<string, (data: unknown, job: Job) => Promise<void>>;

/** The tasks worker's processor: runs the handler named by the job; an unknown name is an error. */
export function dispatchTask(handlers: TaskHandlers) {
  return async (job: Job): Promise<void> => {
    const handler = handlers[job.name];
    if (!handler) throw new Error(`no handler for task "${job.name}"`);
    await handler(job.data, job);
  };
}
