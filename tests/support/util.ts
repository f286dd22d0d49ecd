import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/common/logger';

// Small helpers with no dependency on the whole app, for tests that do not start a Haven.

/** A logger whose every line is kept in `lines` (to assert what reaches the logs). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ level, pretty: false, destination }), lines };
}

/**
 * A wait's deadline guards against a hang; it is not a timing claim. No wait gives up sooner than this, whatever
 * a call asks for: on a busy 2-core machine (CI runs two test files at once beside Redis, browsers and child
 * processes) a queue job or a page can take seconds, and a test must fail for a bug, not for the machine's load.
 */
export const MIN_WAIT_MS = 30_000;

/** Polls until `check` returns a truthy value, or fails after `ms` (at least {@link MIN_WAIT_MS}). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  ms = MIN_WAIT_MS,
  what = 'condition',
): Promise<NonNullable<T>> {
  const allowed = Math.max(ms, MIN_WAIT_MS);
  const deadline = Date.now() + allowed;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${allowed} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
