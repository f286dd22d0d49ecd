import { startHaven, type Haven } from '../../src/main';
import { testConfig } from '../support/haven';
import { cleanupPrefix, uniquePrefix } from '../support/redis';
import { WebchatPerson } from '../support/webchat';
import { makeStaff } from '../staff/client';

/** Reads a server-sent event stream until `until` matches what arrived, or `ms` pass. */
async function readEvents(res: Response, until: RegExp, ms: number): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  const deadline = Date.now() + ms;
  try {
    while (!until.test(seen) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((r) =>
          setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()),
        ),
      ]);
      if (chunk.done) break;
      seen += decoder.decode(chunk.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return seen;
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
    const person = new WebchatPerson(web);
    await person.say('hi');
    await new Promise((r) => setTimeout(r, 500));
    expect(await person.replies()).toHaveLength(0);
    expect(await web.queues.inbound.getWaitingCount()).toBe(1);

    worker = await startHaven(testConfig(prefix, { HAVEN_ROLE: 'worker' }));
    await person.expectReply(/Haven/, 10_000);
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
    await new Promise((r) => setTimeout(r, 200));
    await running.alerts.acknowledge(alert.id, 'Test lead');
    const seen = await readEvents(stream, /acknowledged/, 10_000);
    expect(seen).toContain('"type":"raised"');
    expect(seen).toContain(`"alertId":"${alert.id}","say":"An alert was acknowledged"`);
  });
});
