import { errorFields, HavenError } from '../common/errors';
import type { Logger } from '../common/logger';

/** One step of shutting down (stop a channel, close the HTTP server, close the workers...). */
export interface ShutdownStep {
  name: string;
  run(): Promise<unknown> | unknown;
}

/** One step that failed, and why. */
export interface StepFailure {
  step: string;
  error: Error;
}

/** Shutdown ran every step but some failed; `failures` names each one. */
export class ShutdownError extends HavenError {
  constructor(readonly failures: StepFailure[]) {
    super(
      `shutdown finished with ${failures.length} failed step(s): ${failures.map((f) => `${f.step} (${f.error.message})`).join('; ')}`,
      'SHUTDOWN_INCOMPLETE',
      { context: { steps: failures.map((f) => f.step) } },
    );
  }
}

/**
 * Runs every step in order, each awaited, and goes on when one throws (as BullMQ's `close()` does):
 * a channel that fails to stop must not leave the workers and connections open. Returns the failures.
 */
export async function runEveryStep(steps: readonly ShutdownStep[]): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  for (const s of steps) {
    try {
      await s.run();
    } catch (err) {
      failures.push({ step: s.name, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return failures;
}

/** What {@link createStop} runs. */
export interface StopPlan {
  /** The orderly shutdown, step by step. */
  graceful: readonly ShutdownStep[];
  /** Run when the orderly shutdown overruns `graceMs`: close everything hard. */
  force: readonly ShutdownStep[];
  graceMs: number;
  log: Logger;
}

/**
 * An idempotent `stop()`: the graceful steps, each run even if an earlier one threw; if they take
 * longer than `graceMs`, the force steps. Every failed step is logged; `stop()` then rejects with a
 * {@link ShutdownError} naming them all (after everything has been tried).
 */
export function createStop(plan: StopPlan): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const run = async () => {
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<'overdue'>((resolve) => {
      timer = setTimeout(() => resolve('overdue'), plan.graceMs);
    });
    const graceful = runEveryStep(plan.graceful);
    const outcome = await Promise.race([graceful, overdue]);
    clearTimeout(timer);
    let failures: StepFailure[];
    if (outcome === 'overdue') {
      plan.log.warn({ graceMs: plan.graceMs }, 'shutdown grace period over; closing everything now');
      failures = await runEveryStep(plan.force);
    } else failures = outcome;
    for (const f of failures) plan.log.error({ step: f.step, err: errorFields(f.error) }, 'shutdown step failed');
    plan.log.info('Haven stopped');
    if (failures.length) throw new ShutdownError(failures);
  };
  return () => (stopping ??= run());
}
