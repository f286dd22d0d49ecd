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
