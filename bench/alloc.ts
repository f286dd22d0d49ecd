/**
 * Bytes a process allocated on the V8 heap since the meter started, from V8's GC profiler: the heap
 * used before each collection minus what the previous one left, plus what is used now above the last.
 * Used by the bench servers to answer `alloc` over IPC, so allocation per message is measured in the
 * process that does the work (the sketch's and Haven's alike).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { Redis } from 'ioredis';

interface GcStat {
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

export function allocationMeter(): () => number {
  let profiler = new GCProfiler();
  let total = 0;
  let base = getHeapStatistics().used_heap_size;
  profiler.start();
  return () => {
    const stats = (profiler.stop() as { statistics: GcStat[] } | undefined)?.statistics ?? [];
    for (const s of stats) {
      total += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - base);
      base = s.afterGC.heapStatistics.usedHeapSize;
    }
    const now = getHeapStatistics().used_heap_size;
    const reading = total + Math.max(0, now - base);
    profiler = new GCProfiler();
    profiler.start();
    return reading;
  };
}

/**
 * Counts the commands this process's ioredis clients send to Redis (BullMQ's included; a script
 * run by EVALSHA is one, whatever it calls inside; a pipeline's commands count one each).
 */
export function commandCounter(): () => number {
  let sent = 0;
  type Send = (command: unknown, stream?: unknown, node?: unknown) => unknown;
  const proto = Redis.prototype as unknown as { sendCommand: Send };
  const send = proto.sendCommand;
  // Fixed arguments, not a rest array: the meter must not allocate on every command it counts.
  proto.sendCommand = function (this: unknown, command: unknown, stream?: unknown, node?: unknown) {
    sent++;
    return send.call(this, command, stream, node);
  };
  return () => sent;
}

/**
 * Answers `alloc` messages from the bench with `{ alloc: bytes allocated since start, commands:
 * Redis commands sent since start }`.
 */
export function answerAllocation(): void {
  const meter = allocationMeter();
  const commands = commandCounter();
  process.on('message', (msg: unknown) => {
    if (msg === 'alloc') process.send?.({ alloc: meter(), commands: commands() });
  });
}

/**
 * BENCH_ALLOC_PROF=dir: samples every allocation (kept or collected) from the bench's first `alloc`
 * reading (after any warm-up, so start-up is left out) and writes the profile to that folder on
 * `stop`, so what allocates most per message can be read in DevTools. Node's own --heap-prof keeps
 * only what is still alive at exit.
 */
export function profileAllocations(): (() => Promise<void>) | undefined {
  const dir = process.env.BENCH_ALLOC_PROF;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  let started = false;
  process.on('message', (msg: unknown) => {
    if (msg !== 'alloc' || started) return;
    started = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 32768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  });
  return () =>
    new Promise((resolve) => {
      if (!started) return resolve();
      session.post('HeapProfiler.stopSampling', (err, result) => {
        if (!err) writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(result.profile));
        resolve();
      });
    });
}
