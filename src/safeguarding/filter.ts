import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { Screen, ScreenResult } from './types';

/** A JSON string, or null. */
const jsonOrNull = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

/** The answer to a message the screen let through (most lines): one string, built once. */
const NO_ALERT_LINE = '{"alert":false,"category":null,"severity":null,"matched":[]}';

/**
 * One output line: the screen's result, keys in contract order (the same text as `JSON.stringify` of
 * `{alert, category, severity, matched}`, written out directly: it is the filter's hottest line after the screen).
 */
export function resultLine(result: ScreenResult): string {
  if (!result.alert && result.category === null && result.severity === null && result.matched.length === 0) {
    return NO_ALERT_LINE;
  }
  let matched = '';
  for (let i = 0; i < result.matched.length; i++) {
    matched += (i > 0 ? ',' : '') + JSON.stringify(result.matched[i]);
  }
  return (
    `{"alert":${result.alert ? 'true' : 'false'},"category":${jsonOrNull(result.category)},` +
    `"severity":${jsonOrNull(result.severity)},"matched":[${matched}]}`
  );
}

const BLANK_LINE = JSON.stringify({ error: 'blank line: expected a JSON object {"text": "..."}' });
const NOT_JSON = JSON.stringify({ error: 'not valid JSON: expected a JSON object {"text": "..."}' });
const NO_TEXT = JSON.stringify({ error: 'expected a JSON object with a string "text"' });

/** One input line: a JSON object with a string `text` (extra keys are fine). */
const lineSchema = z.object({ text: z.string() });

/** The text of one input line; null when it is JSON but not {@link lineSchema}; undefined when it is not JSON. */
function lineText(line: string): string | null | undefined {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = lineSchema.safeParse(data);
  return parsed.success ? parsed.data.text : null;
}

/** Output held before it is written even within one input chunk (else it is written once per input chunk). */
const FLUSH_CHARS = 64 * 1024;

/**
 * The `haven screen` filter: reads JSON lines `{"text": "..."}` and writes one JSON line per input line,
 * in order: `{"alert","category","severity","matched"}` (those keys, that order), or `{"error": "..."}`
 * for a line that is not JSON or has no string `text`. A blank (empty or whitespace-only) line is an
 * input line too and gets an error line, so output line N always answers input line N. Lines end at `\n`, `\r\n`
 * or a lone `\r` (as node's readline splits them); a last line without an ending is answered too. Streams both
 * ways: input is read chunk by chunk (one chunk and one partial line in memory), the answers to a chunk are written
 * together once it is answered (so a line typed by hand is answered at once) or every 64 KB, and reading waits for
 * `drain` when the output pushes back. Reading chunks and splitting lines here, instead of readline's line events
 * and async iterator, is most of what the filter costs beside the screen itself.
 * @returns the exit status: 1 if any line was bad, else 0.
 */
export async function runScreenFilter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  screen: Screen,
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let bad = false;
  let pending = '';
  /** The start of a line whose end is in a later chunk. */
  let partial = '';
  /** The last chunk ended with `\r`: a `\n` starting this one belongs to it. */
  let sawReturn = false;
  const answer = (line: string): void => {
    if (line.trim() === '') {
      bad = true;
      pending += BLANK_LINE + '\n';
      return;
    }
    const text = lineText(line);
    if (typeof text === 'string') pending += resultLine(screen.screen(text)) + '\n';
    else {
      bad = true;
      pending += (text === undefined ? NOT_JSON : NO_TEXT) + '\n';
    }
  };
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    const ok = output.write(pending);
    pending = '';
    if (!ok) await once(output, 'drain');
  };
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    if (sawReturn && text.charCodeAt(0) === 10) text = text.slice(1);
    sawReturn = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = start === 0 && partial !== '' ? partial + text.slice(0, i) : text.slice(start, i);
      if (start === 0) partial = '';
      answer(line);
      if (c === 13) {
        if (i + 1 === text.length) sawReturn = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
      if (pending.length >= FLUSH_CHARS) await flush();
    }
    partial = start === 0 ? partial + text : text.slice(start);
    await flush();
  }
  if (partial !== '') answer(partial);
  await flush();
  return bad ? 1 : 0;
}
