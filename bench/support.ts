import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import autocannon from 'autocannon';

/** One line of the benchmark table. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  /** value ÷ baseline. */
  ratio?: number;
  goal?: string;
  met?: boolean;
}

/**
 * A script beside this one: its `.js` build when the benchmarks run compiled (`npm run bench` runs
 * them from dist-bench/ with plain node, as `npm start` runs Haven), its `.ts` source under tsx.
 */
export function sibling(name: string): string {
  return join(__dirname, `${name}${extname(__filename)}`);
}

/** Node's arguments to run a script: TypeScript sources under tsx, the compiled benchmarks (dist-bench/) as they are. */
export function runnerArgs(script: string): string[] {
  return script.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [];
}

/** A server script started in a child process (with --expose-gc), resolved when it prints READY. */
export async function startProcess(
  script: string,
  env: Record<string, string>,
): Promise<{ port: number; proc: ChildProcess; stop(): Promise<void> }> {
  const proc = fork(script, [], {
    env: { ...process.env, ...env },
    // BENCH_CPU_PROF=dir writes a CPU profile of the server to that folder.
    execArgv: [
      ...runnerArgs(script),
      '--expose-gc',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      // BENCH_HEAP_PROF=dir writes a sampling heap profile (what allocated the most) to that folder.
      ...(process.env.BENCH_HEAP_PROF
        ? ['--heap-prof', `--heap-prof-dir=${process.env.BENCH_HEAP_PROF}`, '--heap-prof-interval=65536']
        : []),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    port,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        if (proc.connected) proc.send('stop');
        else proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/** A haven-server child's memory after a GC: resident (what the OS sees) and the JS heap in use (what it keeps). */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
}

/** Asks a haven-server child for its memory after a GC. */
export function memoryOf(proc: ChildProcess): Promise<MemoryReading> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && 'rss' in m && 'heapUsed' in m) {
        proc.off('message', onMessage);
        resolve(m as MemoryReading);
      }
    };
    proc.on('message', onMessage);
    proc.send('rss');
  });
}

/** Asks a bench server child for the bytes it has allocated on its heap since it started (bench/alloc.ts). */
export async function allocOf(proc: ChildProcess): Promise<number> {
  return (await meterOf(proc)).alloc;
}

/**
 * Asks a bench server child for the bytes it has allocated on its heap and the Redis commands it has
 * sent since it started (bench/alloc.ts).
 */
export function meterOf(proc: ChildProcess): Promise<{ alloc: number; commands: number }> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && 'alloc' in m) {
        proc.off('message', onMessage);
        resolve(m as { alloc: number; commands: number });
      }
    };
    proc.on('message', onMessage);
    proc.send('alloc');
  });
}

/** A loopback stand-in for the Graph API (or a webhook receiver) that answers at once, recording arrival times. */
export async function startSink(
  onRequest?: (body: string, at: number) => void,
): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n++;
      onRequest?.(Buffer.concat(chunks).toString('utf8'), Date.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recipient_id":"1","message_id":"m"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const APP_SECRET = 'bench-app-secret';

/** A signed Messenger webhook body with one text message from `sender`. */
export function messengerBody(mid: string, sender: string, text: string): { body: string; signature: string } {
  const body = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'PAGE_ID',
        time: Date.now(),
        messaging: [
          { sender: { id: sender }, recipient: { id: 'PAGE_ID' }, timestamp: Date.now(), message: { mid, text } },
        ],
      },
    ],
  });
  return { body, signature: `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` };
}

/** Runs autocannon against a Messenger webhook with unique message ids from `senders` senders. */
export async function loadMessenger(opts: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
  senders: number;
  text: (i: number) => string;
  runId: string;
}): Promise<autocannon.Result> {
  let i = 0;
  // autocannon refuses keys present with an undefined value.
  const limits = Object.fromEntries(
    Object.entries({ duration: opts.duration, amount: opts.amount, overallRate: opts.overallRate }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return autocannon({
    url: opts.url,
    connections: opts.connections,
    ...limits,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/messenger',
        setupRequest: (req) => {
          const n = i++;
          const { body, signature } = messengerBody(`m_${opts.runId}_${n}`, `psid${n % opts.senders}`, opts.text(n));
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
        },
      },
    ],
  });
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Prints rows as an aligned table. */
export function printTable(rows: Row[]): void {
  const fmt = (n: number | undefined) =>
    n === undefined || Number.isNaN(n) ? '' : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3);
  const lines = [
    ['measure', 'value', 'unit', 'baseline', 'baseline is', 'ratio', 'goal', 'met'],
    ...rows.map((r) => [
      r.name,
      fmt(r.value),
      r.unit,
      fmt(r.baseline),
      r.baselineName ?? '',
      fmt(r.ratio),
      r.goal ?? '',
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => (l[c] ?? '').length)));
  for (const l of lines)
    console.log(
      l
        .map((cell, c) => (c === 0 || c === 4 || c === 6 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    );
}
