import { startHaven, type Haven } from '../../src/main';
import { testConfig } from '../support/haven';
import { cleanupPrefix, uniquePrefix } from '../support/redis';
import { startConversation } from '../support/conversation';
import { waitFor } from '../support/util';
import { makeStaff } from '../staff/client';

/** Reads a server-sent event stream: `until` waits for what arrived so far to match (or fails after `ms`). */
function eventReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  return {
    async until(pattern: RegExp, ms = 30_000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!pattern.test(seen)) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<{ done: true; value: undefined }>((r) =>
            setTimeout(() => r({ done: true, value: undefined }), Math.max(0, deadline - Date.now())),
          ),
        ]);
        if (chunk.done) throw new Error(`the event stream ended or ${ms} ms passed before ${pattern}:\n${seen}`);
        seen += decoder.decode(chunk.value);
      }
      return seen;
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}

/** HAVEN_ROLE: a web process queues what arrives; a worker process (same Redis) answers it. */
describe('web and worker processes', () => {
  const prefix = uniquePrefix('roles');
  let web: Haven;
  let worker: Haven | undefined;
  beforeAll(async () => {
    web = await startHaven(testConfig(prefix, { HAVEN_ROLE: 'web' }));
  });
  afterAll(async () => {
    await web.stop();
    await worker?.stop();
    await cleanupPrefix(prefix);
  });

  it('queues on the web process and answers once a worker process runs', async () => {
    const person = await startConversation(web);
    expect((await person.post('hi')).status).toBe(202);
    // Queued, and no process here runs a worker: nothing can answer it yet.
    await waitFor(async () => (await web.queues.inbound.getWaitingCount()) === 1, 30_000, 'the message queued');
    expect(await web.queues.inbound.getActiveCount()).toBe(0);
    expect(await person.allReplies()).toHaveLength(0);

    worker = await startHaven(testConfig(prefix, { HAVEN_ROLE: 'worker' }));
    await person.expectReply(/Haven/);
    await person.expectNoMoreReplies({ only: ['inbound', 'outbound'] });
  });

  it('a dashboard on the web process hears of an alert acknowledged in the worker process', async () => {
    const lead = (await makeStaff(web, 'safeguarding-lead')).client;
    const stream = await fetch(`${web.url}/staff/api/alerts/events`, { headers: { cookie: lead.cookieHeader } });
    expect(stream.status).toBe(200);
    const alert = await web.alerts.raise({
      screen: { alert: true, category: 'self_harm', severity: 'high', matched: ['self_harm.cutting'] },
      text: 'test alert',
      channel: 'webchat',
      conversationId: 'webchat:roles-test',
      receivedAt: Date.now(),
    });
    const running = worker as Haven;
    const events = eventReader(stream);
    try {
      // The raise is heard first: the stream is listening before the acknowledgement is made.
      await events.until(/"type":"raised"/);
      await running.alerts.acknowledge(alert.id, 'Test lead');
      const seen = await events.until(/acknowledged/);
      expect(seen).toContain(`"alertId":"${alert.id}","say":"An alert was acknowledged"`);
    } finally {
      await events.close();
    }
  });
});
