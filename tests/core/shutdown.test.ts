import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { AlertStore } from '../../src/domain/alerts/store';
import { Keys } from '../../src/engine/keys';
import { startStub, waitFor } from '../support/haven';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';
import { startHavenProcess, type HavenProcess } from '../support/haven-process';

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the job in hand, closes everything and exits 0', async () => {
    const prefix = uniquePrefix('shutdown');
    const hook = await startStub();
    // The alert webhook holds its answer until Haven has begun shutting down, so the alert job is
    // surely in hand when SIGTERM arrives (whatever the machine's speed).
    let inHand = false;
    let haven: HavenProcess | undefined;
    const output = () => haven?.output() ?? '';
    hook.respond((_req, res) => {
      inHand = true;
      void waitFor(() => output().includes('"msg":"shutting down"'), 60_000, 'the shutdown to begin').then(
        () => res.writeHead(200).end('{}'),
        () => res.writeHead(500).end('{}'),
      );
    });
    try {
      haven = await startHavenProcess({
        ...process.env,
        NODE_ENV: 'test',
        REDIS_URL,
        REDIS_PREFIX: prefix,
        ALERT_WEBHOOK_URL: `${hook.url}/a`,
        LOG_LEVEL: 'info',
      });
      const { child, port, exited } = haven;
      const res = await fetch(`http://127.0.0.1:${port}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: randomUUID(), id: '1', text: 'i am going to take all my mums pills tonight' }),
      });
      expect(res.status).toBe(202);
      await waitFor(() => inHand, 30_000, 'the alert job to be in hand');
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`exited ${code}:\n${output().slice(-3000)}`);
      expect(output()).toContain('Haven stopped');
      // Closed in the grace period, not cut off at its end.
      expect(output()).not.toContain('shutdown grace period over');
      // The job in hand finished: its delivery is on the record.
      const redis = new Redis(REDIS_URL);
      try {
        const store = new AlertStore(redis, new Keys(prefix));
        const [alert] = await store.list();
        const history = await store.history(alert!.id);
        expect(history.some((e) => e.event === 'delivered' && e.detail === 'alert webhook (answered 2xx)')).toBe(true);
      } finally {
        await redis.quit();
      }
      // No message text in the logs.
      expect(output()).not.toContain('pills');
    } finally {
      if (haven && haven.child.exitCode === null) haven.child.kill('SIGKILL');
      await hook.close();
      await cleanupPrefix(prefix);
    }
  }, 180_000);
});
