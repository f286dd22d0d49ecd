/**
 * Runs a Haven in its own process for the benchmarks (so the load generator does not share its
 * event loop). Settings from the environment; prints `READY <port>` when listening, and answers
 * the parent's `rss` message with its resident memory and heap in use after a garbage collection.
 */
import { loadConfig } from '../src/config';
import { startHaven } from '../src/main';
import { answerAllocation, profileAllocations } from './alloc';

async function main(): Promise<void> {
  // BENCH_NO_WORKERS=1 measures the HTTP + ingest path alone (queues fill, nothing is answered).
  const haven = await startHaven(loadConfig(process.env), { workers: !process.env.BENCH_NO_WORKERS });
  answerAllocation();
  const writeProfile = profileAllocations();
  process.stdout.write(`READY ${new URL(haven.url).port}\n`);
  process.on('message', async (msg: unknown) => {
    if (msg === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send?.({ rss, heapUsed });
    }
    // After a warm-up load: the alert latencies observed so far are dropped, so the next load's are its own.
    if (msg === 'reset-alert-latency') {
      haven.metrics.alertQueuedQuantiles.reset();
      haven.metrics.alertQueuedSeconds.reset();
      process.send?.({ reset: true });
    }
    if (msg === 'stop') {
      await writeProfile?.();
      await haven.stop();
      process.exit(0);
    }
  });
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
