import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Screen, ScreenResult } from './types';

const lineSchema = z.object({ text: z.string() });

/** One output line: the screen's result (keys in contract order), or an error for a bad input line. */
function resultLine(result: ScreenResult): string {
  return JSON.stringify({
    alert: result.alert,
    category: result.category,
    severity: result.severity,
    matched: result.matched,
  });
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

/**
 * The `haven screen` filter: reads JSON lines `{"text": "..."}` and writes one JSON line per input line,
 * in order: `{"alert","category","severity","matched"}` (those keys, that order), or `{"error": "..."}`
 * for a line that is not JSON or has no string `text`. A blank (empty or whitespace-only) line is an
 * input line too and gets an error line, so output line N always answers input line N. Streams both ways:
 * one line in memory at a time, and waits for `drain` when the output pushes back.
 * @returns the exit status: 1 if any line was bad, else 0.
 */
export async function runScreenFilter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  screen: Screen,
): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let bad = false;
  for await (const line of lines) {
    const parsed = parseLine(line);
    let out: string;
    if ('error' in parsed) {
      bad = true;
      out = JSON.stringify({ error: parsed.error });
    } else {
      out = resultLine(screen.screen(parsed.text));
    }
    if (!output.write(out + '\n')) await once(output, 'drain');
  }
  return bad ? 1 : 0;
}
