import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startHaven, type Haven } from '../../src/main';
import { startStub, waitFor, type StubServer } from '../support/haven';
import { postSignedMessenger, messengerText } from '../support/messenger';
import { OwnRedis } from '../support/redis-server';
import { startConversation, type Conversation } from '../support/conversation';
import { failedJobs, waitForDrained } from '../support/queues';

/**
 * Redis stops while messages arrive: the channel answers 503 (never 202 for a message it did not
 * store), /readyz says so, and once Redis is back every message is answered exactly once.
 *
 * Under load this once lost a message: one refused with 503 mid-outage left its pending claim behind,
 * and its retry within two seconds was answered 202 as a duplicate of that failed attempt. A retry is
 * now answered "stored" only once the message is (tests/core/ingest-claim.test.ts).
 */

describe('Redis stopped while messages arrive', () => {
  let redis: OwnRedis;
  let haven: Haven;
  let graph: StubServer;
  const SECRET = 'redis-down-app-secret';

  beforeAll(async () => {
    redis = await OwnRedis.startOnFreePort();
    graph = await startStub();
    haven = await startHaven(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'faults',
        // Every request comes from 127.0.0.1: the per-address limit is tested on its own (rate-limit.test).
        WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE: '100000',
        // A job in hand when Redis went away has lost its lock: another take-up comes after this.
        QUEUE_LOCK_SECONDS: '5',
        MESSENGER_APP_SECRET: SECRET,
        MESSENGER_VERIFY_TOKEN: 'verify',
        MESSENGER_PAGE_ACCESS_TOKEN: 'page-token',
        MESSENGER_API_URL: graph.url,
      }),
    );
  });
  afterAll(async () => {
    await haven.stop();
    await redis.destroy();
    await graph.close();
  });

  it('answers 503 while Redis is down and every message exactly once after', async () => {
    // Traffic never stops: three senders keep posting, each message from a new person (so each is
    // answered with exactly one reply), while Redis is stopped and started again under them.
    type Sent = { chat: Conversation; id: string; status: number | 'no answer'; phase: 'before' | 'down' | 'back' };
    const sent: Sent[] = [];
    let phase: 'before' | 'down' | 'back' = 'before';
    const byPhase = (p: typeof phase, status: number) => sent.filter((s) => s.phase === p && s.status === status);
    let traffic = true;
    const sender = async () => {
      while (traffic) {
        const chat = await startConversation(haven);
        const id = randomUUID();
        const at = phase;
        const entry: Sent = { chat, id, status: 'no answer', phase: at };
        sent.push(entry);
        entry.status = await chat.post('hi', { id }).then(
          (r) => r.status,
          () => 'no answer' as const,
        );
      }
    };
    const senders = [sender(), sender(), sender()];
    try {
      await waitFor(() => byPhase('before', 202).length >= 5, 30_000, 'messages accepted before the stop');
      await redis.stop();
      phase = 'down';
      await waitFor(() => byPhase('down', 503).length >= 5, 30_000, 'messages refused while Redis is down');
      const ready = await fetch(`${haven.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { redis: string }).redis).toMatch(/unavailable/);
      expect((await fetch(`${haven.url}/healthz`)).status).toBe(200);

      await redis.start();
      await waitFor(async () => (await fetch(`${haven.url}/readyz`)).status === 200, 30_000, 'readyz to recover');
      phase = 'back';
      await waitFor(() => byPhase('back', 202).length >= 5, 30_000, 'messages accepted after Redis is back');
    } finally {
      traffic = false;
      await Promise.all(senders);
    }
    // Never 202 for a message that was not stored: only 202 or 503 (or no answer while it went down).
    expect(sent.every((s) => s.status === 202 || s.status === 503 || s.status === 'no answer')).toBe(true);
    expect(sent.filter((s) => s.phase === 'down' && s.status === 202).length).toBeLessThan(
      sent.filter((s) => s.phase === 'down').length,
    );
    // The browser (like a platform) sends what was refused again with the same id; a second retry is folded.
    const refused = sent.filter((s) => s.status !== 202);
    for (let round = 0; round < 2; round++) {
      const after = await Promise.all(refused.map((s) => s.chat.post('hi', { id: s.id })));
      expect(after.map((r) => r.status)).toEqual(refused.map(() => 202));
    }
    // A job that failed while Redis was down waits out its backoff (1 s, 2 s, 4 s ... by how often it
    // failed): run those now, as if that time had passed, rather than racing the clock.
    for (const q of [haven.queues.inbound, haven.queues.outbound, haven.queues.alerts]) await q.promoteJobs();
    // Every message, accepted the first time or on its retry, is answered exactly once.
    await waitForDrained(haven, { ms: 90_000 });
    // Nothing failed for good: a failed inbound or outbound job is a message or reply lost.
    expect(await failedJobs(haven)).toEqual([]);
    for (const s of sent) {
      await s.chat.expectReply(/Haven/);
      await s.chat.expectNoMoreReplies();
    }
  }, 240_000);

  it('a signed Messenger webhook gets 503 while Redis is down, and its retry is answered once', async () => {
    const psid = String(Date.now());
    const body = messengerText(psid, `m_${randomUUID()}`, 'hi');
    const deliver = () => postSignedMessenger(haven.url, body, SECRET);
    const toPsid = () =>
      graph.requests.filter(
        (r) =>
          (r.json as { recipient?: { id?: string }; message?: unknown })?.recipient?.id === psid &&
          (r.json as { message?: unknown }).message,
      );

    await redis.stop();
    expect((await deliver()).status).toBe(503);
    await redis.start();
    await waitFor(async () => (await fetch(`${haven.url}/readyz`)).status === 200, 15_000, 'readyz to recover');
    // Meta delivers again (the same mid), and once more for good measure: one answer.
    expect((await deliver()).status).toBe(200);
    expect((await deliver()).status).toBe(200);
    await waitFor(() => toPsid().length >= 1, 30_000, 'the reply at the Graph stand-in');
    // Nothing left to run: a second answer would still be a job on a queue.
    await waitForDrained(haven);
    expect(toPsid()).toHaveLength(1);
  });
});
