import type { ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { pendingJobs } from '../support/queues';
import { startStub, waitFor } from '../support/haven';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';
import { startHavenProcess } from '../support/haven-process';

/**
 * A Haven process killed (SIGKILL) while a send is in hand: a second process takes the job up
 * once its lock lapses (BullMQ's stalled-job check), and the young person gets one answer.
 */
describe('worker killed mid-job', () => {
  it('takes the job up again and answers once', async () => {
    const prefix = uniquePrefix('killed');
    const graph = await startStub();
    const held: ServerResponse[] = [];
    let answered = 0;
    graph.respond((req, res) => {
      // Typing indicators and profile calls are answered at once; only messages are counted.
      if (!req.url.startsWith('/me/messages') || !(req.json as { message?: unknown })?.message)
        return void res.writeHead(200).end('{}');
      // The first send is held open until its process dies; later ones are answered.
      if (held.length === 0) return void held.push(res);
      answered++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recipient_id":"1","message_id":"mid.1"}');
    });
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      // A dead process's job is taken up once its lock lapses (then at the next stalled check). Long
      // enough that a slow but living process renews its lock in time on a busy machine.
      QUEUE_LOCK_SECONDS: '10',
      MESSENGER_APP_SECRET: 'kill-secret',
      MESSENGER_VERIFY_TOKEN: 'v',
      MESSENGER_PAGE_ACCESS_TOKEN: 'p',
      MESSENGER_API_URL: graph.url,
    };
    const children: ChildProcess[] = [];
    const logs: string[] = [];
    const start = async () => {
      const haven = await startHavenProcess(env, { onOutput: (chunk) => logs.push(chunk) });
      children.push(haven.child);
      return haven.port;
    };
    try {
      const port = await start();
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: 'P',
            time: Date.now(),
            messaging: [
              {
                sender: { id: '1234' },
                recipient: { id: 'P' },
                timestamp: Date.now(),
                message: { mid: `m_${randomUUID()}`, text: 'hi' },
              },
            ],
          },
        ],
      });
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/messenger`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', 'kill-secret').update(body).digest('hex')}`,
        },
        body,
      });
      expect(res.status).toBe(200);
      await waitFor(() => held.length === 1, 60_000, 'the send to be in hand');
      children[0]!.kill('SIGKILL');
      await new Promise((r) => children[0]!.once('exit', r));

      await start();
      await waitFor(() => answered === 1, 90_000, 'the job to be taken up again');
      // Nothing left on the queues: a second send would still be a job there.
      const connection = new Redis(REDIS_URL);
      try {
        const queuePrefix = new Keys(prefix).queuePrefix;
        const queues = ['inbound', 'outbound'].map((name) => new Queue(name, { connection, prefix: queuePrefix }));
        await waitFor(
          async () => (await Promise.all(queues.map(pendingJobs))).every((n) => n === 0),
          60_000,
          'the queues to be drained',
        );
        await Promise.all(queues.map((q) => q.close()));
      } finally {
        await connection.quit();
      }
      expect(answered).toBe(1);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- Haven output ---\n${logs.join('')}`, { cause: err });
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      for (const r of held) r.destroy();
      await graph.close();
      await cleanupPrefix(prefix);
    }
  }, 240_000);
});
