import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Screen, ScreenResult } from './types';

const lineSchema = z.object({ text: z.string() });

/** A JSON string, or null. */
const jsonOrNull = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

/**
 * One output line: the screen's result, keys in contract order (the same text as `JSON.stringify` of
 * `{alert, category, severity, matched}`, written out directly: it is the filter's hottest line after the screen).
 */
export function resultLine(result: ScreenResult): string {
  let matched = '';
  for (let i = 0; i < result.matched.length; i++) {
    matched += (i > 0 ? ',' : '') + JSON.stringify(result.matched[i]);
  }
  return (
    `{"alert":${result.alert ? 'true' : 'false'},"category":${jsonOrNull(result.category)},` +
    `"severity":${jsonOrNull(result.severity)},"matched":[${matched}]}`
  );
}

/** Why a line could not be screened, or its text. */
function parseLine(line: string): { text: string } | { error: string } {
  if (line.trim() === '') return { error: 'blank line: expected a JSON object {"text": "..."}' };
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON: expected a JSON object {"text": "..."}' };
  }
  const parsed = lineSchema.safeParse(data);
  if (!parsed.success) return { error: 'expected a JSON object with a string "text"' };
  return { text: parsed.data.text };
}

/** Output held before it is written even while input keeps coming (else it is written once per input chunk). */
const FLUSH_CHARS = 64 * 1024;

/**
 * The `haven screen` filter: reads JSON lines `{"text": "..."}` and writes one JSON line per input line,
 * in order: `{"alert","category","severity","matched"}` (those keys, that order), or `{"error": "..."}`
 * for a line that is not JSON or has no string `text`. A blank (empty or whitespace-only) line is an
 * input line too and gets an error line, so output line N always answers input line N. Streams both ways:
 * one input line in memory at a time; answers are written together once the input read so far is answered
 * (so a line typed by hand is answered at once) or every 64 KB, and reading waits for `drain` when the output
 * pushes back.
 * @returns the exit status: 1 if any line was bad, else 0.
 */
export async function runScreenFilter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  screen: Screen,
): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let bad = false;
  let pending = '';
  let scheduled = false;
  let blocked: Promise<unknown> | null = null;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const ok = output.write(pending);
    pending = '';
    if (!ok && blocked === null) blocked = once(output, 'drain').finally(() => (blocked = null));
  };
  for await (const line of lines) {
    const parsed = parseLine(line);
    if ('error' in parsed) {
      bad = true;
      pending += JSON.stringify({ error: parsed.error }) + '\n';
    } else {
      pending += resultLine(screen.screen(parsed.text)) + '\n';
    }
    if (pending.length >= FLUSH_CHARS) flush();
    else if (!scheduled) {
      // After the lines already read are answered: readline hands over a whole input chunk before I/O runs again.
      scheduled = true;
      setImmediate(flush);
    }
    if (blocked !== null) await blocked;
  }
  flush();
  if (blocked !== null) await blocked;
  return bad ? 1 : 0;
}
