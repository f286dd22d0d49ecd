/**
 * Safeguarding screen speed: median µs per typical chat message and per hostile 4,096-character line,
 * each against a baseline measured in the same run (a plain lower-case + `includes` over the same text).
 * Run alone with `npx tsx bench/screen.ts`, or from `bench/run.ts` through {@link benchScreen}.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createScreen, loadLexicon, MAX_SCREEN_CHARS } from '../src/safeguarding';
import { printTable, runnerArgs, sibling, type Row } from './support';

const TYPICAL = [
  'what time is group on saturday',
  'helped mum with her tablets before school, shes a bit better today',
  'lol this homework is killing me',
  'i want to k1ll myself tbh',
  'my dad hits me when hes drunk',
  'can i book a one to one for next week pls',
  'nan is in hospital again so im at my aunties 😢',
  'a man on roblox keeps asking what school i go to',
  'we got battered 5-0 but it was fun',
  'im so tired of revising for my gcses',
  'mum wont wake up and theres pills everywhere',
  'my best mate is ignoring me and i dont know why',
];

function hostileLines(): [string, string][] {
  const fit = (s: string): string => s.repeat(Math.ceil(MAX_SCREEN_CHARS / s.length)).slice(0, MAX_SCREEN_CHARS);
  return [
    ['near-matches', fit('kil myslef sucide unaliv wanna d1e ')],
    ['"a" × 4096', 'a'.repeat(MAX_SCREEN_CHARS)],
    ['spaced letters', fit('k i l l ')],
    ['masks and leet', fit('s*i*c*d* k!ll 5u1c1d3 ')],
    ['emoji flood', fit('😂💀🩸💊🔪🪢👨‍👩‍👧')],
    ['mixed scripts', fit('kіll мой 自杀 انتحار आत्महत्या ')],
    ['phrase starts', fit('i want to ')],
  ];
}

/** Median µs per call of fn over texts, after warming up. */
function medianMicros(texts: readonly string[], fn: (t: string) => unknown, rounds: number): number {
  const batch = 200;
  // Warm, as a long-running server is: enough calls for the JIT to finish optimising the hot paths.
  for (let i = 0; i < 20_000; i++) fn(texts[i % texts.length] as string);
  const samples: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) if (fn(texts[(r * batch + i) % texts.length] as string)) sink++;
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Runs the screen benchmarks and returns table rows (value, baseline, ratio, goal, met). */
export async function benchScreen(): Promise<Row[]> {
  const screen = createScreen(loadLexicon());
  const baseline = (t: string): boolean => t.toLowerCase().includes('suicide');
  const rows: Row[] = [];
  const typical = medianMicros(TYPICAL, (t) => screen.screen(t).alert, 200);
  const typicalBase = medianMicros(TYPICAL, baseline, 200);
  rows.push({
    name: 'screen: typical chat message',
    value: typical,
    unit: 'µs/msg',
    baseline: typicalBase,
    baselineName: 'toLowerCase().includes()',
    ratio: typical / typicalBase,
    goal: '≤ 2 µs',
    met: typical <= 2,
  });
  const hostile = hostileLines();
  const texts = hostile.map(([, t]) => t);
  const hostileValue = medianMicros(texts, (t) => screen.screen(t).alert, 60);
  const hostileBase = medianMicros(texts, baseline, 60);
  rows.push({
    name: 'screen: hostile 4,096-char line',
    value: hostileValue,
    unit: 'µs/line',
    baseline: hostileBase,
    baselineName: 'toLowerCase().includes()',
    ratio: hostileValue / hostileBase,
    goal: '≤ 50 µs',
    met: hostileValue <= 50,
  });
  for (const [name, text] of hostile) {
    const v = medianMicros([text], (t) => screen.screen(t).alert, 20);
    const b = medianMicros([text], baseline, 20);
    rows.push({ name: `  hostile: ${name}`, value: v, unit: 'µs/line', baseline: b, ratio: v / b });
  }
  rows.push(...benchFilter());
  return rows;
}

/** Lines of typical messages piped through `haven screen` and through the baseline loop. */
const FILTER_LINES = 100_000;

/**
 * `haven screen` as a process (the compiled CLI when the bench runs compiled), against the plainest JSON-lines
 * read-parse-write loop in node (jsonl-loop.ts) on the same input, each the best of three alternating runs: lines
 * per second through the whole process (start-up included), the start-up alone (a one-line input), and lines per
 * second after start-up (the difference).
 */
function benchFilter(): Row[] {
  const dir = mkdtempSync(join(tmpdir(), 'haven-bench-'));
  const many = join(dir, 'many.jsonl');
  const one = join(dir, 'one.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < FILTER_LINES; i++) lines.push(JSON.stringify({ text: TYPICAL[i % TYPICAL.length] }));
  writeFileSync(many, lines.join('\n') + '\n');
  writeFileSync(one, (lines[0] as string) + '\n');
  const cli = join(__dirname, '..', 'src', `cli${extname(__filename)}`);
  const run = (args: [script: string, ...rest: string[]], input: string): number => {
    const fd = openSync(input, 'r');
    try {
      const start = process.hrtime.bigint();
      const res = spawnSync(process.execPath, [...runnerArgs(args[0]), ...args], { stdio: [fd, 'ignore', 'inherit'] });
      if (res.status !== 0) throw new Error(`${args.join(' ')} exited with ${res.status}`);
      return Number(process.hrtime.bigint() - start) / 1e9;
    } finally {
      closeSync(fd);
    }
  };
  const best = { haven: Infinity, loop: Infinity, havenStart: Infinity, loopStart: Infinity };
  try {
    for (let r = 0; r < 3; r++) {
      best.loop = Math.min(best.loop, run([sibling('jsonl-loop')], many));
      best.haven = Math.min(best.haven, run([cli, 'screen'], many));
      best.loopStart = Math.min(best.loopStart, run([sibling('jsonl-loop')], one));
      best.havenStart = Math.min(best.havenStart, run([cli, 'screen'], one));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name: string, haven: number, loop: number): Row => ({
    name,
    value: haven,
    unit: 'lines/s',
    baseline: loop,
    baselineName: 'JSON-lines read-parse-write loop',
    ratio: haven / loop,
    goal: '≥ 0.5 of the loop',
    met: haven / loop >= 0.5,
  });
  const k = FILTER_LINES / 1000;
  return [
    row(`haven screen: ${k}k typical lines, start-up included`, FILTER_LINES / best.haven, FILTER_LINES / best.loop),
    row(
      `haven screen: ${k}k typical lines, after start-up`,
      FILTER_LINES / Math.max(1e-6, best.haven - best.havenStart),
      FILTER_LINES / Math.max(1e-6, best.loop - best.loopStart),
    ),
    {
      name: 'haven screen: start-up (one line in, one out)',
      value: best.havenStart * 1000,
      unit: 'ms',
      baseline: best.loopStart * 1000,
      baselineName: 'JSON-lines read-parse-write loop',
      ratio: best.havenStart / best.loopStart,
    },
  ];
}

if (require.main === module) {
  benchScreen().then(
    (rows) => printTable(rows),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
