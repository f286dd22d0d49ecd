import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { AlertStore } from '../../src/domain/alerts/store';
import { Keys } from '../../src/engine/keys';
import { startStub, waitFor } from '../support/haven';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the job in hand, closes everything and exits 0', async () => {
    const prefix = uniquePrefix('shutdown');
    const hook = await startStub();
    // The alert webhook holds its answer until Haven has begun shutting down, so the alert job is
    // surely in hand when SIGTERM arrives (whatever the machine's speed).
    let inHand = false;
    let output = '';
    hook.respond((_req, res) => {
      inHand = true;
      void waitFor(() => output.includes('"msg":"shutting down"'), 60_000, 'the shutdown to begin').then(
        () => res.writeHead(200).end('{}'),
        () => res.writeHead(500).end('{}'),
      );
    });
    const port = await freePort();
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/cli.ts', 'start'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL,
        REDIS_PREFIX: prefix,
        ALERT_WEBHOOK_URL: `${hook.url}/a`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('"msg":"ready"'), 90_000, 'Haven to start');
      const res = await fetch(`http://127.0.0.1:${port}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: randomUUID(), id: '1', text: 'i am going to take all my mums pills tonight' }),
      });
      expect(res.status).toBe(202);
      await waitFor(() => inHand, 30_000, 'the alert job to be in hand');
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`exited ${code}:\n${output.slice(-3000)}`);
      expect(output).toContain('Haven stopped');
      // Closed in the grace period, not cut off at its end.
      expect(output).not.toContain('shutdown grace period over');
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
      expect(output).not.toContain('pills');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await hook.close();
      await cleanupPrefix(prefix);
    }
  }, 180_000);
});
