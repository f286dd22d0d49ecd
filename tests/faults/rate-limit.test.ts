import { startTestHaven, waitFor } from '../support/haven';
import { WebchatPerson } from '../support/webchat';

/** A flood from one sender is capped; others are still answered, and every message is still screened. */
describe('per-sender rate limit', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('ratelimit', { INBOUND_RATE_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('caps one sender, answers another, and still screens the flood', async () => {
    const flooder = new WebchatPerson(haven);
    for (let i = 0; i < 20; i++) await flooder.say(`spam ${i}`);
    await flooder.say('i am going to kill myself');
    const other = new WebchatPerson(haven);
    await other.say('hi');
    await other.expectReply(/Haven/);

    // The concerning message was over the limit, yet it raised an alert and got the helplines.
    await waitFor(async () => (await haven.alerts.store.list()).length === 1, 5000, 'the alert');
    await flooder.expectReply(/85258/);
    await new Promise((r) => setTimeout(r, 500));
    const replies = await flooder.replies();
    expect(replies.filter((r) => !r.text.includes('85258')).length).toBeLessThanOrEqual(5);
  });
});

/** One address rotating browser ids cannot get round the per-sender limit: the address is limited too. */
describe('per-address limit on the web chat', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('ratelimit-addr', { WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE: '10' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('answers 429 with a clear word once one address sends too many, whatever the browser id', async () => {
    const statuses: number[] = [];
    let refusal = '';
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${haven.url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: `rotating-browser-${String(i).padStart(4, '0')}`, id: String(i), text: 'hi' }),
      });
      statuses.push(res.status);
      if (res.status === 429) refusal = ((await res.json()) as { error: string }).error;
    }
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(refusal).toMatch(/Too many messages from here/);
    expect(refusal).toContain('999');
  });
});
