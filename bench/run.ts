/**
 * `npm run bench`: Haven's timing and memory goals, each measured against a baseline measured in
 * the same run on the same machine, printed as a table with ratios. Needs Redis on REDIS_URL
 * (default 127.0.0.1:6379); uses its own key prefixes and deletes them after.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  percentile,
  printTable,
  sibling,
  startProcess,
  startSink,
  loadMessenger,
  allocOf,
  meterOf,
  APP_SECRET,
  memoryOf,
  type MemoryReading,
  type Row,
} from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const MEMORY_MESSAGES = quick ? 10_000 : 100_000;
/** The value of `--name=value` on the command line, or undefined. */
function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
/** `--topologies=one,split,alone,alone2`: only those ingest topologies (all by default). */
const TOPOLOGIES = flag('topologies')?.split(',');
/**
 * `--alerts=1000,split,200,half`: only those alert rows (all by default): one process at 1000 msg/s,
 * web + worker at 1000 msg/s, one process at 200 msg/s, one process at half the measured capacity;
 * `splithalf` (only when asked for) adds web + worker at half the measured capacity.
 */
const ALERT_ROWS = flag('alerts')?.split(',');
/** `--capacity=N`: the one-process capacity (msg/s) when the ingest step is not run (e.g. `--only=alerts`). */
const GIVEN_CAPACITY = Number(flag('capacity') ?? 0);

const BENCH_SECRETS = {
  idHash: randomBytes(32).toString('base64'),
  dataKey: randomBytes(32).toString('hex'),
  session: randomBytes(32).toString('base64'),
  metrics: randomBytes(24).toString('base64url'),
};

function havenEnv(prefix: string, graphUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    // Production refuses published or weak secrets: fresh ones for each run.
    ID_HASH_SECRET: BENCH_SECRETS.idHash,
    DATA_ENCRYPTION_KEY: BENCH_SECRETS.dataKey,
    SESSION_SECRET: BENCH_SECRETS.session,
    // Production serves /metrics only with its token (the alert rows read it).
    METRICS_TOKEN: BENCH_SECRETS.metrics,
    MESSENGER_APP_SECRET: APP_SECRET,
    MESSENGER_VERIFY_TOKEN: 'bench-verify',
    MESSENGER_PAGE_ACCESS_TOKEN: 'bench-page-token',
    MESSENGER_API_URL: graphUrl,
    INBOUND_RATE_PER_MINUTE: '100000000',
    ...extra,
  };
}

/** A Haven in its own process: both roles, or only `role` (HAVEN_ROLE). */
function startHaven(env: Record<string, string>, role?: 'web' | 'worker') {
  return startProcess(sibling('haven-server'), role ? { ...env, HAVEN_ROLE: role } : env);
}

async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** Waits until the inbound, outbound and alerts queues of a prefix are empty. */
async function drain(prefix: string, timeoutMs = 300_000): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues = ['inbound', 'outbound', 'alerts'].map(
    (n) => new Queue(n, { connection: redis, prefix: `${prefix}:q` }),
  );
  const start = Date.now();
  try {
    for (;;) {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'prioritized')));
      const pending = counts.reduce((s, c) => s + (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0), 0);
      if (pending === 0) return Date.now() - start;
      if (Date.now() - start > timeoutMs) throw new Error(`queues still hold ${pending} jobs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    await redis.quit();
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Seconds a process has spent on a CPU and waiting in the run queue for one (Linux schedstat):
 * the wait is time it was ready to run but the machine's cores were busy with something else.
 */
function schedOf(pid: number): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { run: (run ?? NaN) / 1e9, wait: (wait ?? NaN) / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
}

/** CPU seconds the Redis server has used (INFO cpu). */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

const INGEST_TEXT = (i: number): string =>
  i % 3 === 0 ? 'hi' : i % 3 === 1 ? 'can i talk to someone' : 'what are we doing at group on saturday';

/**
 * Signed Messenger webhooks at full speed (50 connections, unique message ids, 10,000 senders)
 * against a bare Fastify JSON endpoint, then against Haven three ways:
 * - one process: HTTP, ingest, the engine and the senders together (`npm start`);
 * - web + worker: HAVEN_ROLE=web answering webhooks, HAVEN_ROLE=worker answering people;
 * - web alone: the path a platform waits on (signature, validation, dedupe, screen, alert, queue)
 *   with no workers running; the queue fills and a worker drains it afterwards, timed.
 * Each row also gives the CPU each process (and Redis) spent per message, from the load's start
 * until every message was answered: what the machine's cores must pay for the whole path.
 */
async function benchIngest(rows: Row[]): Promise<void> {
  const base = await startProcess(sibling('baseline-server'), {});
  const baseline = await loadMessenger({
    url: `http://127.0.0.1:${base.port}`,
    connections: 50,
    duration: SECONDS,
    senders: 10_000,
    text: () => 'hi',
    runId: 'base',
  });
  await base.stop();
  const baseRate = baseline.requests.total / SECONDS;
  const redis = new Redis(REDIS_URL);
  // The sketch runs before and after Haven's one-process run and counts as their mean: other work
  // on the machine comes and goes, and this keeps the ratio from following it.
  const sketchRuns = [await benchSketch()];
  const mean = (f: (r: SketchResult) => number) => sketchRuns.reduce((t, r) => t + f(r), 0) / sketchRuns.length;
  const sketch: SketchResult = { accepted: 0, answered: 0, allocKb: 0, cpuUs: 0 };
  const settleSketch = () => {
    sketch.accepted = mean((r) => r.accepted);
    sketch.answered = mean((r) => r.answered);
    sketch.allocKb = mean((r) => r.allocKb);
    sketch.cpuUs = mean((r) => r.cpuUs);
  };
  settleSketch();

  const short = {
    'one process': 'one',
    'web + worker': 'split',
    'web alone': 'alone',
    'web alone, 2 workers drain': 'alone2',
  };
  for (const topology of ['one process', 'web + worker', 'web alone', 'web alone, 2 workers drain'] as const) {
    if (TOPOLOGIES && !TOPOLOGIES.includes(short[topology])) continue;
    const graph = await startSink();
    const prefix = `bench-ingest-${Date.now()}`;
    const env = havenEnv(prefix, graph.url);
    const web = await startHaven(env, topology === 'one process' ? undefined : 'web');
    let worker = topology === 'web + worker' ? await startHaven(env, 'worker') : undefined;
    let second: Awaited<ReturnType<typeof startHaven>> | undefined;
    const cpu0 = { web: cpuSecondsOf(web.proc.pid!), worker: worker ? cpuSecondsOf(worker.proc.pid!) : 0, second: 0 };
    const redis0 = await redisCpuSeconds(redis);
    const alloc0 = topology === 'one process' ? await allocOf(web.proc) : 0;
    const result = await loadMessenger({
      url: `http://127.0.0.1:${web.port}`,
      connections: 50,
      duration: SECONDS,
      senders: 10_000,
      text: INGEST_TEXT,
      runId: `ingest${Date.now()}`,
    });
    const accepted = result.requests.total - result.non2xx;
    if (topology.startsWith('web alone')) {
      // The backlog is drained by one worker process, or by two (what a second machine or core buys).
      const started = await Promise.all(
        topology === 'web alone' ? [startHaven(env, 'worker')] : [startHaven(env, 'worker'), startHaven(env, 'worker')],
      );
      worker = started[0];
      second = started[1];
      cpu0.worker = cpuSecondsOf(worker!.proc.pid!);
      cpu0.second = second ? cpuSecondsOf(second.proc.pid!) : 0;
    }
    const drainMs = await drain(prefix);
    const allocated = topology === 'one process' ? (await allocOf(web.proc)) - alloc0 : 0;
    const webCpu = cpuSecondsOf(web.proc.pid!) - cpu0.web;
    const workerCpu =
      (topology === 'one process' ? 0 : cpuSecondsOf(worker!.proc.pid!) - cpu0.worker) +
      (second ? cpuSecondsOf(second.proc.pid!) - cpu0.second : 0);
    const redisCpu = (await redisCpuSeconds(redis)) - redis0;
    await web.stop();
    await worker?.stop();
    await second?.stop();
    await graph.close();
    await cleanup(prefix);

    if (topology === 'one process') {
      sketchRuns.push(await benchSketch());
      settleSketch();
      sketchRuns.forEach((r, i) =>
        rows.push(
          {
            name: `sketch (floor of the design), run ${i + 1} of 2: accepted`,
            value: r.accepted,
            unit: 'msg/s',
          },
          {
            name: `sketch (floor of the design), run ${i + 1} of 2: answered per second, load + backlog`,
            value: r.answered,
            unit: 'msg/s',
          },
        ),
      );
    }
    const rate = accepted / SECONDS;
    const answered = accepted / (SECONDS + drainMs / 1000);
    if (topology === 'one process') capacity = answered;
    if (topology.startsWith('web alone')) backlogDrain[topology === 'web alone' ? 0 : 1] = accepted / (drainMs / 1000);
    const perMessage = (seconds: number) => (seconds / Math.max(1, accepted)) * 1e6;
    rows.push({
      name: `ingest (${topology}): signed Messenger webhooks accepted`,
      value: rate,
      unit: 'msg/s',
      baseline: baseRate,
      baselineName: 'bare Fastify+zod',
      ratio: rate / baseRate,
      goal: '>= 5000',
      met: rate >= 5000,
    });
    rows.push({
      name: `ingest (${topology}): p99 latency`,
      value: result.latency.p99,
      unit: 'ms',
      baseline: baseline.latency.p99,
      baselineName: 'bare Fastify+zod',
      ratio: result.latency.p99 / baseline.latency.p99,
      goal: '< 50',
      met: result.latency.p99 < 50,
    });
    rows.push({ name: `ingest (${topology}): refused (non-2xx)`, value: result.non2xx, unit: 'requests' });
    rows.push({ name: `ingest (${topology}): every message answered after load`, value: drainMs / 1000, unit: 's' });
    // Accepting and answering share the cores: a quicker worker takes CPU from accepting while the
    // load runs. Messages answered over the load and the backlog after it is the whole path's rate.
    rows.push({
      name: `ingest (${topology}): answered per second, load + backlog`,
      value: answered,
      unit: 'msg/s',
    });
    if (topology === 'one process') {
      const kb = allocated / Math.max(1, accepted) / 1024;
      rows.push(
        {
          name: 'ingest (one process): heap allocated per message, load + backlog',
          value: kb,
          unit: 'KB',
          baseline: sketch.allocKb,
          baselineName: 'sketch per message',
          ratio: kb / sketch.allocKb,
          goal: '<= 100',
          met: kb <= 100,
        },
        {
          name: 'ingest (one process) against the sketch: accepted',
          value: rate,
          unit: 'msg/s',
          baseline: sketch.accepted,
          baselineName: 'sketch accepted (mean)',
          ratio: rate / sketch.accepted,
          goal: 'ratio >= 0.9',
          met: rate / sketch.accepted >= 0.9,
        },
        {
          name: 'ingest (one process) against the sketch: answered',
          value: answered,
          unit: 'msg/s',
          baseline: sketch.answered,
          baselineName: 'sketch answered (mean)',
          ratio: answered / sketch.answered,
          goal: 'ratio >= 0.9',
          met: answered / sketch.answered >= 0.9,
        },
      );
    }
    if (topology.startsWith('web alone')) {
      rows.push({
        name: `ingest (${topology}): backlog drained per second`,
        value: accepted / (drainMs / 1000),
        unit: 'msg/s',
      });
    }
    rows.push({
      name: `ingest (${topology}): CPU per message, ${topology === 'one process' ? 'Haven' : 'web'}`,
      value: perMessage(webCpu),
      unit: 'µs',
      ...(topology === 'one process'
        ? { baseline: sketch.cpuUs, baselineName: 'sketch per message', ratio: perMessage(webCpu) / sketch.cpuUs }
        : {}),
    });
    if (topology !== 'one process') {
      rows.push({ name: `ingest (${topology}): CPU per message, worker`, value: perMessage(workerCpu), unit: 'µs' });
    }
    rows.push({ name: `ingest (${topology}): CPU per message, Redis`, value: perMessage(redisCpu), unit: 'µs' });
  }
  await redis.quit();
  if (backlogDrain[0] && backlogDrain[1]) {
    rows.push({
      name: 'backlog drained by 2 worker processes',
      value: backlogDrain[1],
      unit: 'msg/s',
      baseline: backlogDrain[0],
      baselineName: '1 worker process',
      ratio: backlogDrain[1] / backlogDrain[0],
      goal: 'ratio > 1 (2 cores)',
      met: backlogDrain[1] > backlogDrain[0],
    });
  }
}

/** The whole path's answered rate of one Haven process (msg/s), measured by the ingest step. */
let capacity = 0;
/** Backlog drain rates (msg/s) with one and with two worker processes. */
const backlogDrain: [number, number] = [0, 0];

/** The sketch (bench/sketch-server.ts) under the same load as Haven: accepted and answered per second. */
interface SketchResult {
  accepted: number;
  answered: number;
  allocKb: number;
  cpuUs: number;
}

async function benchSketch(): Promise<SketchResult> {
  const graph = await startSink();
  const prefix = `bench-sketch-${Date.now()}`;
  const proc = await startProcess(sibling('sketch-server'), {
    REDIS_URL,
    REDIS_PREFIX: prefix,
    MESSENGER_APP_SECRET: APP_SECRET,
    MESSENGER_API_URL: graph.url,
  });
  const alloc0 = await allocOf(proc.proc);
  const cpu0 = cpuSecondsOf(proc.proc.pid!);
  const result = await loadMessenger({
    url: `http://127.0.0.1:${proc.port}`,
    connections: 50,
    duration: SECONDS,
    senders: 10_000,
    text: INGEST_TEXT,
    runId: `sketch${Date.now()}`,
  });
  const accepted = result.requests.total - result.non2xx;
  const drainMs = await drain(prefix);
  const allocated = (await allocOf(proc.proc)) - alloc0;
  const cpu = cpuSecondsOf(proc.proc.pid!) - cpu0;
  await proc.stop();
  await graph.close();
  await cleanup(prefix);
  return {
    accepted: accepted / SECONDS,
    answered: accepted / (SECONDS + drainMs / 1000),
    allocKb: allocated / Math.max(1, accepted) / 1024,
    cpuUs: (cpu / Math.max(1, accepted)) * 1e6,
  };
}

/** `--alloc-rate=N` and `--alloc-messages=N`: the fixed load of the allocation step. */
const ALLOC_RATE = Number(flag('alloc-rate') ?? 300);
const ALLOC_MESSAGES = Number(flag('alloc-messages') ?? (quick ? 3_000 : 9_000));

/**
 * Heap allocated and Redis commands run per message by Haven (one process) and by the sketch, at a
 * fixed rate neither is overloaded by, alternated twice: a count, not a timing, so other work on
 * the machine moves it little (`--only=alloc`). Redis commands are those the process sent (a script
 * is one, whatever it calls inside).
 */
async function benchAlloc(rows: Row[]): Promise<void> {
  const one = async (which: 'haven' | 'sketch') => {
    const graph = await startSink();
    const prefix = `bench-alloc-${which}-${Date.now()}`;
    const proc =
      which === 'haven'
        ? await startHaven(havenEnv(prefix, graph.url))
        : await startProcess(sibling('sketch-server'), {
            REDIS_URL,
            REDIS_PREFIX: prefix,
            MESSENGER_APP_SECRET: APP_SECRET,
            MESSENGER_API_URL: graph.url,
          });
    // A warm-up first (a tenth of the messages), so code still being compiled is not what is measured.
    const load = (amount: number, runId: string) =>
      loadMessenger({
        url: `http://127.0.0.1:${proc.port}`,
        connections: 10,
        amount,
        overallRate: ALLOC_RATE,
        senders: 10_000,
        text: INGEST_TEXT,
        runId,
      });
    await load(Math.ceil(ALLOC_MESSAGES / 10), `allocwarm${which}${Date.now()}`);
    await drain(prefix);
    const before = await meterOf(proc.proc);
    const cpu0 = cpuSecondsOf(proc.proc.pid!);
    const result = await load(ALLOC_MESSAGES, `alloc${which}${Date.now()}`);
    await drain(prefix);
    const after = await meterOf(proc.proc);
    const cpu = cpuSecondsOf(proc.proc.pid!) - cpu0;
    const allocated = after.alloc - before.alloc;
    const commands = after.commands - before.commands;
    const accepted = result.requests.total - result.non2xx;
    await proc.stop();
    await graph.close();
    await cleanup(prefix);
    return {
      kb: allocated / Math.max(1, accepted) / 1024,
      commands: commands / Math.max(1, accepted),
      cpuUs: (cpu / Math.max(1, accepted)) * 1e6,
    };
  };
  for (let round = 1; round <= 2; round++) {
    const sketch = await one('sketch');
    const haven = await one('haven');
    const at = `@${ALLOC_RATE} msg/s, ${ALLOC_MESSAGES} msgs, pair ${round} of 2`;
    // One row a measure: Haven's figure per message against the sketch's in the same pair.
    const perMessage = (what: string, unit: string, pick: (m: typeof haven) => number): Row => ({
      name: `alloc (one process): ${what} ${at}`,
      value: pick(haven),
      unit,
      baseline: pick(sketch),
      baselineName: 'sketch per message',
      ratio: pick(haven) / pick(sketch),
    });
    rows.push(
      { ...perMessage('heap allocated per message', 'KB', (m) => m.kb), goal: '<= 100', met: haven.kb <= 100 },
      perMessage('CPU per message', 'µs', (m) => m.cpuUs),
      perMessage('Redis commands per message', 'commands', (m) => m.commands),
    );
  }
}

/** Seconds of load an alert row runs before the load it measures. */
const WARM_SECONDS = quick ? 2 : 5;

/** Asks a haven-server child to drop the alert latencies it has observed (bench/haven-server.ts). */
function resetAlertLatency(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && 'reset' in m) {
        proc.off('message', onMessage);
        resolve();
      }
    };
    proc.on('message', onMessage);
    proc.send('reset-alert-latency');
  });
}

/** A Haven's /metrics text. */
async function metricsOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${BENCH_SECRETS.metrics}` },
  });
  return res.text();
}

/** One unlabelled value from a /metrics text, or NaN. */
function gaugeOf(metrics: string, name: string): number {
  const m = new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : NaN;
}

/**
 * Alert latency at `rate` messages a second, one in ten a concern. `split`: a web process (where
 * messages are accepted and alerts raised) and a worker process (where alerts are delivered), as
 * docker-compose runs Haven; otherwise one process doing both.
 */
async function benchAlerts(rows: Row[], rate: number, split: boolean, capacityNote = ''): Promise<void> {
  const graph = await startSink();
  const arrivals: number[] = [];
  const ids = new Set<string>();
  // Alerts raised before the measured load began (the warm-up's) are not counted.
  let measuredFrom = Infinity;
  let warmArrivals = 0;
  const hook = await startSink((body, at) => {
    const { alert } = JSON.parse(body) as { alert: { id: string; createdAt: string } };
    const createdAt = Date.parse(alert.createdAt);
    if (createdAt < measuredFrom) {
      warmArrivals++;
      return;
    }
    ids.add(alert.id);
    arrivals.push(at - createdAt);
  });
  const prefix = `bench-alerts-${Date.now()}`;
  const env = havenEnv(prefix, graph.url, { ALERT_WEBHOOK_URL: hook.url });
  const haven = await startHaven(env, split ? 'web' : undefined);
  const worker = split ? await startHaven(env, 'worker') : undefined;
  // A warm-up at the same rate and mix first: a process just started runs its first messages through
  // code not yet compiled, which a server that has been up for a while does not. Its alerts are
  // delivered, then the alert latencies Haven observed so far are dropped.
  const load = (seconds: number, runId: string) =>
    loadMessenger({
      url: `http://127.0.0.1:${haven.port}`,
      connections: 20,
      duration: seconds,
      overallRate: rate,
      senders: 5_000,
      text: (i) => (i % 10 === 0 ? 'i want to kill myself tonight' : 'hi'),
      runId,
    });
  const warm = await load(WARM_SECONDS, `alertswarm${Date.now()}`);
  const warmStart = Date.now();
  while (warmArrivals < Math.floor(warm.requests.total / 10) && Date.now() - warmStart < 30_000)
    await new Promise((r) => setTimeout(r, 100));
  await drain(prefix);
  await resetAlertLatency(haven.proc);
  measuredFrom = Date.now();
  // Read once so the event-loop delay Haven reports next covers the load alone (prom-client resets it on each read).
  await metricsOf(haven.port);
  const sched0 = schedOf(haven.proc.pid!);
  const result = await load(SECONDS, `alerts${Date.now()}`);
  // autocannon's total leaves out the requests still in flight when it stops (up to one per
  // connection), which Haven may have accepted: so "expected" is a floor, and duplicates are
  // counted by alert id rather than guessed from the total.
  const expected = Math.floor(result.requests.total / 10);
  const sched1 = schedOf(haven.proc.pid!);
  const loopDelayP99 = gaugeOf(await metricsOf(haven.port), 'haven_nodejs_eventloop_lag_p99_seconds') * 1000;
  const start = Date.now();
  while (arrivals.length < expected && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 100));
  const metrics = await metricsOf(haven.port);
  const quantile = (q: string) => {
    const m = new RegExp(`haven_alert_queued_quantile_seconds\\{quantile="${q}"\\} ([\\d.e-]+)`).exec(metrics);
    return m ? Number(m[1]) * 1000 : NaN;
  };
  const queuedP50 = quantile('0.5');
  const queuedP99 = quantile('0.99');
  await drain(prefix);
  await haven.stop();
  await worker?.stop();

  // Baseline: a bare BullMQ add on the same Redis at the same rate.
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue('baseline', { connection: redis, prefix: `${prefix}:base` });
  const adds: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    await q.add('x', { i }, { removeOnComplete: true });
    adds.push(performance.now() - t);
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10));
  }
  await q.obliterate({ force: true });
  await q.close();
  await redis.quit();
  await graph.close();
  await hook.close();
  await cleanup(prefix);

  const addP50 = percentile(adds, 50);
  const addP99 = percentile(adds, 99);
  const hookP99 = percentile(arrivals, 99);
  const where = `${split ? 'web + worker' : 'one process'}${capacityNote}`;
  rows.push({
    name: `alert (${where}): accepted → alert job queued, p50 @${rate} msg/s`,
    value: queuedP50,
    unit: 'ms',
    baseline: addP50,
    baselineName: 'bare BullMQ add p50',
    ratio: queuedP50 / addP50,
  });
  rows.push({
    name: `alert (${where}): accepted → alert job queued, p99 @${rate} msg/s`,
    value: queuedP99,
    unit: 'ms',
    baseline: addP99,
    baselineName: 'bare BullMQ add p99',
    ratio: queuedP99 / addP99,
    goal: '<= 15',
    met: queuedP99 <= 15,
  });
  rows.push({
    name: `alert (${where}): accepted → ALERT_WEBHOOK_URL received, p99 @${rate} msg/s`,
    value: hookP99,
    unit: 'ms',
    baseline: addP99,
    baselineName: 'bare BullMQ add p99',
    ratio: hookP99 / addP99,
    goal: '<= 250',
    met: hookP99 <= 250,
  });
  // Each step of an alert's path waits its turn in the event loop: its delay bounds what the alert can do.
  rows.push({
    name: `alert (${where}): accepting process's event-loop delay, p99 over the load`,
    value: loopDelayP99,
    unit: 'ms',
  });
  // Latency here is also the machine's: a process that is ready but waits for a core adds that wait.
  rows.push({
    name: `alert (${where}): accepting process ready but waiting for a CPU, per second of load`,
    value: ((sched1.wait - sched0.wait) / SECONDS) * 1000,
    unit: 'ms/s',
    baseline: ((sched1.run - sched0.run) / SECONDS) * 1000,
    baselineName: 'on a CPU, ms/s',
  });
  rows.push({
    name: `alert (${where}): alerts delivered / expected @${rate} msg/s`,
    value: arrivals.length,
    unit: `of ${expected}`,
    met: arrivals.length >= expected,
  });
  rows.push({
    name: `alert (${where}): alerts delivered twice @${rate} msg/s`,
    value: arrivals.length - ids.size,
    unit: 'alerts',
    goal: '0',
    met: arrivals.length === ids.size,
  });
}

async function benchMemory(rows: Row[]): Promise<void> {
  const graph = await startSink();
  const prefix = `bench-memory-${Date.now()}`;
  const haven = await startHaven(havenEnv(prefix, graph.url));
  const idle = await memoryOf(haven.proc);
  const after: MemoryReading[] = [];
  for (let round = 0; round < 2; round++) {
    await loadMessenger({
      url: `http://127.0.0.1:${haven.port}`,
      connections: 50,
      amount: MEMORY_MESSAGES,
      senders: 10_000,
      text: () => 'hi',
      runId: `mem${round}${Date.now()}`,
    });
    await drain(prefix);
    after.push(await memoryOf(haven.proc));
  }
  await haven.stop();
  await graph.close();
  await cleanup(prefix);
  const mb = (b: number) => b / 1024 / 1024;
  const [first, second] = after as [MemoryReading, MemoryReading];
  const n = MEMORY_MESSAGES.toLocaleString('en-GB');
  rows.push({
    name: `memory: RSS after ${n} msgs / 10k senders`,
    value: mb(first.rss),
    unit: 'MB',
    baseline: mb(idle.rss),
    baselineName: 'RSS idle after start',
    ratio: first.rss / idle.rss,
  });
  // RSS seldom shrinks once V8 and the allocator have grown: it says how much the process took at its busiest,
  // not what it keeps. The heap in use after a GC is what a leak would grow; that is the goal's measure.
  rows.push({
    name: `memory: RSS after a second ${n}`,
    value: mb(second.rss),
    unit: 'MB',
    baseline: mb(first.rss),
    baselineName: 'RSS after the first',
    ratio: second.rss / first.rss,
  });
  rows.push({
    name: `memory: heap in use after GC, after ${n} msgs`,
    value: mb(first.heapUsed),
    unit: 'MB',
    baseline: mb(idle.heapUsed),
    baselineName: 'heap idle after start',
    ratio: first.heapUsed / idle.heapUsed,
  });
  rows.push({
    name: `memory: heap in use after GC, after a second ${n}`,
    value: mb(second.heapUsed),
    unit: 'MB',
    baseline: mb(first.heapUsed),
    baselineName: 'heap after the first',
    ratio: second.heapUsed / first.heapUsed,
    goal: 'no growth (ratio <= 1.10)',
    met: second.heapUsed / first.heapUsed <= 1.1,
  });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const only = flag('only');
  const run = (name: string) => !only || only.split(',').includes(name);
  if (run('screen') && existsSync(sibling('screen'))) {
    const { benchScreen } = (await import('./screen')) as { benchScreen: () => Promise<Row[]> };
    rows.push(...(await benchScreen()));
  }
  const step = async (name: string, fn: (rows: Row[]) => Promise<void>) => {
    if (!run(name)) return;
    const mine: Row[] = [];
    await fn(mine);
    rows.push(...mine);
    printTable(mine);
  };
  await step('ingest', benchIngest);
  await step('alloc', benchAlloc);
  const alertRow = (name: string) => !ALERT_ROWS || ALERT_ROWS.includes(name);
  if (alertRow('1000')) await step('alerts', (r) => benchAlerts(r, 1000, false));
  // As docker-compose runs it: accepting (and raising alerts) in a web process, the rest in a worker.
  if (alertRow('split')) await step('alerts', (r) => benchAlerts(r, 1000, true));
  // The same at a load this machine sustains, to show latency without queueing behind a backlog.
  if (alertRow('200')) await step('alerts', (r) => benchAlerts(r, 200, false));
  // Where the goal means something: at half the capacity the ingest step measured (not overloaded).
  if (capacity === 0 && GIVEN_CAPACITY > 0) capacity = GIVEN_CAPACITY;
  if (capacity > 0 && alertRow('half')) {
    const half = Math.max(50, Math.round(capacity / 2));
    await step('alerts', async (r) => {
      r.push({ name: 'capacity: one process, answered per second', value: capacity, unit: 'msg/s' });
      await benchAlerts(r, half, false, `, half of capacity ${Math.round(capacity)} msg/s`);
    });
  }
  // The same load with accepting in a web process and the workers in another (as docker-compose runs it).
  if (capacity > 0 && ALERT_ROWS?.includes('splithalf')) {
    const half = Math.max(50, Math.round(capacity / 2));
    await step('alerts', (r) => benchAlerts(r, half, true, `, half of capacity ${Math.round(capacity)} msg/s`));
  }
  await step('memory', benchMemory);
  console.log(`\nHaven benchmarks (${new Date().toISOString()}, ${quick ? 'quick' : 'full'} run)\n`);
  printTable(rows);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
