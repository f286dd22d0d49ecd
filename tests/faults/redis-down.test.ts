import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startHaven, type Haven } from '../../src/main';
import { startStub, waitFor, type StubServer } from '../support/haven';
import { postSignedMessenger, messengerText } from '../support/messenger';
import { freePort, OwnRedis } from '../support/redis-server';
import { WebchatPerson } from '../support/webchat';

/**
 * Redis stops while messages arrive: the channel answers 503 (never 202 for a message it did not
 * store), /readyz says so, and once Redis is back every message is answered exactly once.
 */
describe('Redis stopped while messages arrive', () => {
  let redis: OwnRedis;
  let haven: Haven;
  let graph: StubServer;
  const SECRET = 'redis-down-app-secret';

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    graph = await startStub();
    haven = await startHaven(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'faults',
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
    const people = Array.from({ length: 5 }, () => new WebchatPerson(haven));
    const post = (p: WebchatPerson, id: string) =>
      fetch(`${haven.url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: p.clientId, id, text: 'hi' }),
      });

    await redis.stop();
    const ids = people.map(() => randomUUID());
    const during = await Promise.all(people.map((p, i) => post(p, ids[i] as string)));
    expect(during.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
    const ready = await fetch(`${haven.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { redis: string }).redis).toMatch(/unavailable/);
    expect((await fetch(`${haven.url}/healthz`)).status).toBe(200);

    await redis.start();
    await waitFor(async () => (await fetch(`${haven.url}/readyz`)).status === 200, 15_000, 'readyz to recover');
    // The browser (like a platform) sends again with the same ids; a second retry is folded.
    for (let round = 0; round < 2; round++) {
      const after = await Promise.all(people.map((p, i) => post(p, ids[i] as string)));
      expect(after.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    }
    for (const p of people) await p.expectReply(/Haven/, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    for (const p of people) expect(await p.replies()).toHaveLength(1);
  });

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
    await waitFor(() => toPsid().length >= 1, 15_000, 'the reply at the Graph stand-in');
    await new Promise((r) => setTimeout(r, 500));
    expect(toPsid()).toHaveLength(1);
  });
});
