import type { Job } from 'bullmq';
import { routeJobs } from './queues';

/**
 * Handlers for jobs on the `tasks` queue, by job name (coordinator notifications, session
 * reminders, retention sweeps...). Modules hand theirs to the composition root (src/compose/workers).
 */
export type TaskHandlers = Record<string, (data: unknown, job: Job) => Promise<void>>;

/** The tasks worker's processor: runs the handler named by the job; an unknown name fails at once. */
export function dispatchTask(handlers: TaskHandlers) {
  return routeJobs<Record<string, unknown>>('tasks', handlers);
}
