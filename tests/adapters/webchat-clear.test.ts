import { startTestHaven } from '../support/haven';
import { WebchatPerson } from '../support/webchat';

describe("the web chat's reply backlog", () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('webchat-clear');
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  it('"delete my data" clears it at once: the page shows nothing from before again', async () => {
    const person = new WebchatPerson(haven);
    await person.say('hello');
    await person.expectReply(/Haven/);
    await person.say('my mum is ill and i look after her');
    await person.say('delete my data');
    await person.expectReply(/delete your data\?/);
    await person.say('yes');
    const done = await person.expectReply(/deleted/);
    // Only the confirmation is left; what was said before is gone from the backlog.
    expect((await person.replies()).map((r) => r.seq)).toEqual([done.seq]);
  });

  it('POST /chat/api/clear forgets the backlog for that browser only', async () => {
    const person = new WebchatPerson(haven);
    const other = new WebchatPerson(haven);
    await person.say('hello');
    await person.expectReply(/Haven/);
    await other.say('hello');
    await other.expectReply(/Haven/);
    const res = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: person.clientId }),
    });
    expect(res.status).toBe(204);
    expect(await person.replies()).toEqual([]);
    expect((await other.replies()).length).toBeGreaterThan(0);
    const bad = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'x' }),
    });
    expect(bad.status).toBe(400);
  });
});
