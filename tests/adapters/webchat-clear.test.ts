import { startTestHaven } from '../support/haven';
import { startConversation } from '../support/conversation';

describe("the web chat's reply backlog", () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('webchat-clear');
  });
  afterAll(async () => {
    await haven?.shutdown();
  });
  /** The replies the web chat keeps for one browser, read from Redis as the page would get them. */
  const kept = async (clientKey: string) =>
    (await haven.redis.lrange(haven.keys.webchatOutbox(clientKey), 0, -1)).map(
      (r: string) => JSON.parse(r) as { seq: number },
    );

  it('"delete my data" clears it at once: the page shows nothing from before again', async () => {
    const person = await startConversation(haven);
    await person.send('hello');
    await person.waitForReply(/Haven/);
    await person.send('my mum is ill and i look after her');
    await person.send('delete my data');
    await person.waitForReply(/delete your data\?/);
    await person.send('yes');
    const done = await person.waitForReply(/deleted/);
    // Only the confirmation is left; what was said before is gone from the backlog.
    expect((await kept(person.clientKey)).map((r) => r.seq)).toEqual([done.seq]);
  });

  it('POST /chat/api/clear forgets the backlog for that browser only', async () => {
    const person = await startConversation(haven);
    const other = await startConversation(haven);
    await person.send('hello');
    await person.waitForReply(/Haven/);
    await other.send('hello');
    await other.waitForReply(/Haven/);
    const res = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: person.clientId }),
    });
    expect(res.status).toBe(200);
    expect(await kept(person.clientKey)).toEqual([]);
    expect((await kept(other.clientKey)).length).toBeGreaterThan(0);
    const bad = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'x' }),
    });
    expect(bad.status).toBe(400);
  });
});
