import { startTestHaven, waitFor } from '../support/haven';
import { startConversation } from '../support/conversation';
import { waitForDrained } from '../support/queues';

/** A flood from one sender is capped; others are still answered, and every message is still screened. */
describe('per-sender rate limit', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  // The limit counts per clock minute: a fixed clock keeps the whole flood in one minute however
  // slowly the machine sends it (a flood crossing a minute would rightly be let through twice).
  const clock = new Date('2026-03-02T10:15:20Z');
  beforeAll(async () => {
    haven = await startTestHaven('ratelimit', { INBOUND_RATE_PER_MINUTE: '5' }, { now: () => clock });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('caps one sender at exactly the limit, answers another, and still screens the flood', async () => {
    const flooder = await startConversation(haven);
    for (let i = 0; i < 20; i++) expect((await flooder.post(`spam ${i}`)).status).toBe(202);
    expect((await flooder.post('i am going to kill myself')).status).toBe(202);
    const other = await startConversation(haven);
    await other.send('hi');
    await other.expectReply(/Haven/);

    // The concerning message was over the limit, yet it raised an alert and got the helplines.
    await waitFor(async () => (await haven.alerts.store.list()).length === 1, 30_000, 'the alert');
    await waitFor(async () => (await flooder.allReplies()).some((r) => r.text.includes('85258')), 30_000, 'helplines');
    // Everything queued has run: the count below is final.
    await waitForDrained(haven, { only: ['inbound', 'outbound'] });
    const replies = await flooder.allReplies();
    // The first five were answered (the first one with the welcome), the other fifteen were not.
    expect(replies.filter((r) => r.text.includes('85258'))).toHaveLength(1);
    const answered = replies.filter((r) => !r.text.includes('85258'));
    expect(answered.length).toBeGreaterThanOrEqual(5);
    // Haven's own count: of the 21, exactly 15 were held back (the concerning one never is).
    const counted = (await haven.metrics.inbound.get()).values;
    const outcome = (o: string) => counted.filter((v) => v.labels.outcome === o).reduce((n, v) => n + v.value, 0);
    expect(outcome('rate_limited')).toBe(15);
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
