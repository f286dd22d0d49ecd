import { randomUUID } from 'node:crypto';
import { postSignedMessenger, messengerText } from '../support/messenger';
import { captureLogger, startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { startConversation } from '../support/conversation';

/**
 * A scripted run across channels, with every log line captured at debug level: no platform id,
 * browser id, token or message text may appear in a log line, the alert webhook or the export;
 * the only place a message's text is kept is the alert record itself.
 */
describe('children’s data stays out of logs and exports', () => {
  const PSID = '7654321098765432';
  const PAGE_TOKEN = 'EAAG-page-token-do-not-log';
  const APP_SECRET = 'app-secret-do-not-log';
  const texts = [
    'hello there from messenger',
    'my dad hits me with a belt when he is drunk',
    'i want to hurt myself tonight',
  ];
  let graph: StubServer;
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const { logger, lines } = captureLogger('debug');

  beforeAll(async () => {
    graph = await startStub();
    hook = await startStub();
    haven = await startTestHaven(
      'privacy',
      {
        LOG_LEVEL: 'debug',
        MESSENGER_APP_SECRET: APP_SECRET,
        MESSENGER_VERIFY_TOKEN: 'verify-token-do-not-log',
        MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
        MESSENGER_API_URL: graph.url,
        ALERT_WEBHOOK_URL: `${hook.url}/alert`,
      },
      { logger },
    );
  });
  afterAll(async () => {
    await haven.shutdown();
    await graph.close();
    await hook.close();
  });

  const messenger = async (mid: string, text: string) => {
    const res = await postSignedMessenger(haven.url, messengerText(PSID, mid, text), APP_SECRET);
    expect(res.status).toBe(200);
  };

  it('keeps ids, tokens and message text out of every log line, webhook and export', async () => {
    await messenger(`m_${randomUUID()}`, texts[0] as string);
    await messenger(`m_${randomUUID()}`, texts[1] as string);
    const person = await startConversation(haven);
    await person.send(texts[2] as string);
    await person.expectReply(/0800 1111/);
    await waitFor(
      () => graph.requests.filter((r) => r.url.startsWith('/me/messages')).length >= 2,
      30_000,
      'Messenger replies',
    );
    await waitFor(() => hook.requests.length >= 2, 30_000, 'both alerts at the webhook');

    const secrets = [PSID, person.clientId, PAGE_TOKEN, APP_SECRET, ...texts];
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) for (const s of secrets) expect(line).not.toContain(s);

    // The alert webhook carries the message (staff need it) but never a platform id or browser id.
    for (const r of hook.requests) {
      expect(r.body).not.toContain(PSID);
      expect(r.body).not.toContain(person.clientId);
    }
    // The export is the alert record: the message is there, the ids are not.
    const exported: string[] = [];
    for await (const a of haven.alerts.store.exportAll()) exported.push(JSON.stringify(a));
    expect(exported.join('\n')).toContain(texts[1]);
    for (const e of exported) {
      expect(e).not.toContain(PSID);
      expect(e).not.toContain(person.clientId);
    }
    // Redis keys never hold a platform id.
    const keys = await haven.redis.keys(`${haven.prefix}:*`);
    for (const k of keys) {
      expect(k).not.toContain(PSID);
      expect(k).not.toContain(person.clientId);
    }
  });
});

describe('request logging', () => {
  it('never logs a one-time setup token or a query string', () => {
    const { logger, lines } = captureLogger('info');
    logger.info({ req: { id: 'r1', method: 'GET', url: '/staff/setup/tok-secret-123?next=x' } }, 'incoming request');
    logger.info(
      { req: { id: 'r2', method: 'GET', url: '/webhooks/messenger?hub.verify_token=v-secret' } },
      'incoming request',
    );
    const out = lines.join('\n');
    expect(out).toContain('/staff/setup/[redacted]');
    expect(out).toContain('"url":"/webhooks/messenger"');
    expect(out).not.toMatch(/tok-secret-123|v-secret/);
  });
});
