/**
 * The floor of Haven's design on this machine: the least code that does the same work per message (issue 22's
 * "sketch"). A signed Messenger webhook is checked over its raw body, parsed, folded by `SET NX` on its message
 * id, and queued in BullMQ; a worker loads and saves the conversation's state and queues the reply; a second
 * worker sends the reply to the Graph API stand-in. No screen, no flows, no alerts: what Haven adds on top of
 * this is what `npm run bench` compares against it. Prints `READY <port>`; stops on the 'stop' message.
 * Settings: REDIS_URL, REDIS_PREFIX, MESSENGER_APP_SECRET, MESSENGER_API_URL, SKETCH_ROLE (web | worker | all).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { answerAllocation, profileAllocations } from './alloc';

interface Event {
  sender?: { id?: string };
  message?: { mid?: string; text?: string };
}

async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = process.env.REDIS_PREFIX ?? 'sketch';
  const secret = process.env.MESSENGER_APP_SECRET ?? '';
  const graph = process.env.MESSENGER_API_URL ?? '';
  const role = process.env.SKETCH_ROLE ?? 'all';
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queueOpts = { connection: redis, prefix: `${prefix}:q` };
  const jobOpts = { removeOnComplete: { age: 3600, count: 10000 }, removeOnFail: { age: 86400 }, attempts: 15 };
  const inbound = new Queue('inbound', queueOpts);
  const outbound = new Queue('outbound', queueOpts);
  const closers: Array<() => Promise<unknown>> = [];

  let port = 0;
  if (role !== 'worker') {
    const app = Fastify({ logger: false });
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/webhooks/messenger', async (req, reply) => {
      const raw = req.body as Buffer;
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return reply.code(403).send();
      const body = JSON.parse(raw.toString('utf8')) as { entry?: Array<{ messaging?: Event[] }> };
      for (const entry of body.entry ?? []) {
        for (const e of entry.messaging ?? []) {
          const mid = e.message?.mid;
          const sender = e.sender?.id;
          if (!mid || !sender) continue;
          if ((await redis.set(`${prefix}:d:${mid}`, '1', 'EX', 86400, 'NX')) !== 'OK') continue;
          await inbound.add('m', { sender, text: e.message?.text ?? '' }, { ...jobOpts, jobId: mid });
        }
      }
      return 'EVENT_RECEIVED';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    closers.push(() => app.close());
  }
  if (role !== 'web') {
    const conn = { url, maxRetriesPerRequest: null };
    const engine = new Worker<{ sender: string; text: string }>(
      'inbound',
      async (job) => {
        const key = `${prefix}:s:${job.data.sender}`;
        const state = JSON.parse((await redis.get(key)) ?? '{"n":0}') as { n: number };
        state.n++;
        await redis.set(key, JSON.stringify(state), 'EX', 86400);
        await outbound.add('s', { to: job.data.sender, text: `reply ${state.n}` }, jobOpts);
      },
      { connection: conn, prefix: `${prefix}:q`, concurrency: 50 },
    );
    const sender = new Worker<{ to: string; text: string }>(
      'outbound',
      async (job) => {
        const res = await fetch(`${graph}/me/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ recipient: { id: job.data.to }, message: { text: job.data.text } }),
        });
        if (!res.ok) throw new Error(`graph ${res.status}`);
        await res.arrayBuffer();
      },
      { connection: conn, prefix: `${prefix}:q`, concurrency: 50 },
    );
    closers.push(
      () => engine.close(),
      () => sender.close(),
    );
  }
  answerAllocation();
  const writeProfile = profileAllocations();
  process.stdout.write(`READY ${port}\n`);
  process.on('message', async (msg: unknown) => {
    if (msg !== 'stop') return;
    await writeProfile?.();
    for (const close of closers) await close();
    await inbound.close();
    await outbound.close();
    await redis.quit();
    process.exit(0);
  });
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
