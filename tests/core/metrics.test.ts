import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';
import { waitForDrained } from '../support/queues';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

/**
 * GET /metrics as Prometheus scrapes it. The one place this test makes the request: should
 * /metrics come to need a token, only this function changes.
 */
async function scrape(haven: TestHaven): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${haven.url}/metrics`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample (`name{labels} value`), or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

/** /metrics: what went in and out, alerts and the queues' depths, in Prometheus's text format. */
describe('/metrics', () => {
  let haven: TestHaven;
  beforeAll(async () => {
    haven = await startTestHaven('metrics');
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('counts messages in and out, an alert, and shows each queue depth by state', async () => {
    const before = await scrape(haven);
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const inBefore =
      sample(before.text, 'haven_inbound_messages_total', { channel: 'webchat', outcome: 'queued' }) ?? 0;

    const chat = await startConversation(haven);
    await chat.send('hi');
    await chat.expectReply(/Haven/);
    await chat.send('i want to kill myself');
    await chat.expectReply(/0800 1111/);
    await waitForDrained(haven, { only: ['inbound', 'outbound'] });
    // Held up on purpose: a paused outbound queue keeps one job waiting, to be seen in the depths.
    await haven.queues.outbound.pause();
    try {
      await chat.send('hello again');
      const after = await scrape(haven);
      expect(after.status).toBe(200);
      expect(sample(after.text, 'haven_inbound_messages_total', { channel: 'webchat', outcome: 'queued' })).toBe(
        inBefore + 3,
      );
      expect(
        sample(after.text, 'haven_outbound_messages_total', { channel: 'webchat', outcome: 'sent' }),
      ).toBeGreaterThanOrEqual(2);
      // The alert's time from the message to its queued delivery was observed once.
      expect(sample(after.text, 'haven_alert_queued_seconds_count', {})).toBe(1);
      expect(sample(after.text, 'haven_queue_jobs', { queue: 'outbound', state: 'waiting' })).toBe(1);
      expect(sample(after.text, 'haven_queue_jobs', { queue: 'inbound', state: 'active' })).toBe(0);
      for (const queue of ['inbound', 'outbound', 'alerts', 'tasks'])
        for (const state of ['waiting', 'delayed', 'active', 'failed'])
          expect([queue, state, typeof sample(after.text, 'haven_queue_jobs', { queue, state })]).toEqual([
            queue,
            state,
            'number',
          ]);
      // Counts and names only: nothing anyone wrote.
      expect(after.text).not.toMatch(/kill|hello again/);
    } finally {
      await haven.queues.outbound.resume();
    }
    await chat.expectReply(/./, { skip: true });
  });
});
