import type { PartProgress } from './part-progress';

/** One long message, split into the parts a platform takes. */
export interface PartsToSend {
  /** Who it goes to, as the channel names them (hashed into the progress key, never stored). */
  recipient: string;
  parts: readonly string[];
  /** Sends part `index`; `last` says it is the final one (where buttons or quick replies go). */
  send(part: string, index: number, last: boolean): Promise<unknown>;
}

/**
 * Sends the parts in order with progress kept in Redis: a retry after part 3 failed resumes at
 * part 3 rather than repeating 1 and 2. Returns the part it started from (0 unless resuming).
 */
export async function sendInParts(progress: PartProgress, p: PartsToSend): Promise<number> {
  const key = p.parts.length > 1 ? progress.key(p.recipient, p.parts) : undefined;
  const start = key ? await progress.done(key) : 0;
  for (let i = start; i < p.parts.length; i++) {
    const last = i === p.parts.length - 1;
    await p.send(p.parts[i] as string, i, last);
    if (key && !last) await progress.mark(key, i + 1);
  }
  if (key) await progress.clear(key);
  return start;
}
