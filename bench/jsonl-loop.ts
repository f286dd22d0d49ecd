/**
 * The baseline of the `haven screen` row in bench/screen.ts: the plainest JSON-lines filter in node, reading
 * `{"text": "..."}` lines from stdin and writing one JSON line per input line, as `haven screen` does, with no
 * screening. Run by the bench as a process of its own.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const data = JSON.parse(line) as { text: string };
    const out = JSON.stringify({ alert: false, category: null, severity: null, matched: [], length: data.text.length });
    if (!process.stdout.write(out + '\n')) await once(process.stdout, 'drain');
  }
}

void main();
