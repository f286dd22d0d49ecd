import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { createBotFrameworkChannel } from '../../src/adapters/botframework';
import { Keys } from '../../src/engine/keys';
import {
  REDIS_URL,
  captureLogger,
  startStub,
  startTestHaven,
  uniquePrefix,
  waitFor,
  type StubRequest,
  type StubServer,
} from '../support/haven';
import { waitForDrained } from '../support/queues';
import { bfFixture, type FixtureActivity } from './botframework-fixtures';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

interface SentActivity {
  type: string;
  text?: string;
  from?: { id: string };
  recipient?: { id: string };
  conversation?: { id: string };
  suggestedActions?: { actions: { type: string; title: string; value: string }[] };
}

/** Activities the bot posted to the stand-in Bot Connector for one conversation. */
function repliesIn(connector: StubServer, conversationId: string): (StubRequest & { activity: SentActivity })[] {
  return connector.requests
    .filter(
      (r) =>
        r.method === 'POST' && decodeURIComponent(r.url).startsWith(`/v3/conversations/${conversationId}/activities`),
    )
    .map((r) => ({ ...r, activity: r.json as SentActivity }));
}

function post(haven: TestHaven, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${haven.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Alert webhook posts whose alert id is not in `before` (the alerts raised since). */
function newAlerts(
  hook: StubServer,
  before: Set<string>,
): { id: string; channel: string; category: string; message: string }[] {
  return hook.requests
    .map(
      (r) =>
        r.json as {
          type?: string;
          alert?: { id: string; channel: string; category: string; message: string; level: number };
        },
    )
    .filter((j) => j?.type === 'safeguarding_alert' && j.alert && j.alert.level === 0 && !before.has(j.alert.id))
    .map((j) => j.alert!);
}

/** The ids of every alert posted so far. */
function alertIds(hook: StubServer): Set<string> {
  return new Set(newAlerts(hook, new Set()).map((a) => a.id));
}

async function inboundCount(haven: TestHaven, outcome: string): Promise<number> {
  const m = await haven.metrics.inbound.get();
  return m.values
    .filter((v) => v.labels.channel === 'botframework' && v.labels.outcome === outcome)
    .reduce((n, v) => n + v.value, 0);
}

describe('Bot Framework channel over HTTP, Emulator mode (no MicrosoftAppId)', () => {
  let haven: TestHaven;
  let connector: StubServer;
  let alertHook: StubServer;
  const { logger, lines } = captureLogger('debug');

  beforeAll(async () => {
    connector = await startStub();
    connector.respond((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sent-${req.url.length}` }));
    });
    alertHook = await startStub();
    haven = await startTestHaven(
      'bf-http',
      { ALERT_WEBHOOK_URL: alertHook.url, ALERT_WEBHOOK_INCLUDE_TEXT: 'true', CHARITY_NAME: 'Young Carers Together' },
      { logger },
    );
  });
  afterAll(async () => {
    await haven?.shutdown();
    await connector?.close();
    await alertHook?.close();
  });

  /** A fixture pointed at the stand-in connector. */
  const activity = (name: string, overrides: Record<string, unknown> = {}): FixtureActivity =>
    bfFixture(name, { serviceUrl: connector.url, ...overrides });

  it('says in the log at start that it runs unauthenticated', () => {
    expect(lines.some((l) => l.includes('"level":40') && l.includes('UNAUTHENTICATED'))).toBe(true);
    expect(haven.adapters.get('botframework')?.status()).toMatchObject({ state: 'ready', detail: /emulator/ });
  });

  it.each([
    ['emulator', 'emulator-message'],
    ['skype', 'skype-message'],
    ['msteams', 'msteams-message'],
    ['webchat', 'webchat-message'],
  ])('answers "hi" from %s with the greeting at the connector', async (_channel, name) => {
    const a = activity(name);
    const res = await post(haven, a);
    expect(res.status).toBe(200);
    const [reply] = await waitFor(
      () => {
        const r = repliesIn(connector, a.conversation.id);
        return r.length ? r : null;
      },
      30_000,
      `reply on ${a.channelId}`,
    );
    expect(reply!.url).toMatch(/^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/);
    expect(reply!.activity.type).toBe('message');
    expect(reply!.activity.text).toContain("Hi, I'm Haven");
    expect(reply!.activity.text).toContain('Young Carers Together');
    expect(reply!.activity.text).toContain('0800 1111');
    expect(reply!.activity.recipient?.id).toBe(a.from.id);
    expect(reply!.activity.from?.id).toBe(a.recipient.id);
    expect(reply!.activity.suggestedActions?.actions).toEqual(
      expect.arrayContaining([{ type: 'imBack', title: 'Talk to a youth worker', value: 'Talk to a youth worker' }]),
    );
    // Emulator mode: straight to the serviceUrl, no token (a token fetch would need login.microsoftonline.com).
    expect(reply!.headers.authorization).toBeUndefined();
  });

  it('in emulator mode refuses a serviceUrl that is not on this machine (no posting to other hosts)', async () => {
    const res = await post(
      haven,
      bfFixture('emulator-message', { serviceUrl: 'https://attacker.example/', id: 'ssrf-1' }),
    );
    expect(res.status).toBe(403);
  });

  it('screens a Teams group chat message but never replies into the group', async () => {
    const conversation = { id: '19:group-chat-test@thread.v2', isGroup: true, conversationType: 'groupChat' };
    const before = alertIds(alertHook);
    const a = activity('msteams-message', {
      conversation,
      id: 'group-1',
      text: '<at>Haven</at> i want to kill myself',
    });
    expect((await post(haven, a)).status).toBe(200);
    const [raised] = await waitFor(
      () => (newAlerts(alertHook, before).length ? newAlerts(alertHook, before) : null),
      30_000,
      'the alert',
    );
    expect(raised).toMatchObject({ channel: 'botframework', category: 'suicide', message: 'i want to kill myself' });
    // Everything the message set off has run (its answer would be an outbound job): nothing went to the group.
    await waitForDrained(haven, { only: ['inbound', 'outbound'] });
    expect(repliesIn(connector, conversation.id)).toHaveLength(0);
    expect(newAlerts(alertHook, before)).toHaveLength(1);
  });

  it('maps a tap on a suggested action back to its payload', async () => {
    const base = { conversation: { id: 'a:tap-test-conversation', conversationType: 'personal' } };
    await post(haven, activity('msteams-message', { ...base, id: 'tap-hi' }));
    await waitFor(() => repliesIn(connector, base.conversation.id).length === 1, 30_000, 'menu');
    await post(haven, activity('msteams-message', { ...base, id: 'tap-1', text: "I'm worried" }));
    const replies = await waitFor(
      () => {
        const r = repliesIn(connector, base.conversation.id);
        return r.length === 2 ? r : null;
      },
      30_000,
      'answer to the tap',
    );
    // The MENU_WORRIED answer, not the "didn't quite get that" fallback.
    expect(replies[1]!.activity.text).toContain('Tell me here');
  });

  it('greets a young person added by conversationUpdate once, even when Azure delivers it twice', async () => {
    const update = activity('emulator-conversation-update', {
      conversation: { id: 'greet-once-conversation|livechat' },
    });
    const duplicatesBefore = await inboundCount(haven, 'duplicate');
    expect((await post(haven, update)).status).toBe(200);
    expect((await post(haven, update)).status).toBe(200);
    expect(await inboundCount(haven, 'duplicate')).toBe(duplicatesBefore + 1);
    const [greeting] = await waitFor(
      () => {
        const r = repliesIn(connector, update.conversation.id);
        return r.length ? r : null;
      },
      30_000,
      'greeting',
    );
    expect(greeting!.activity.text).toContain("Hi, I'm Haven");
    expect(greeting!.activity.recipient?.id).toBe('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
  });

  it('raises a safeguarding alert for a concerning Teams message and answers with Childline', async () => {
    // In a one-to-one chat: Haven never replies into a group (see the group chat test).
    const a = activity('msteams-mention', { conversation: { id: 'a:personal-mention', conversationType: 'personal' } });
    // This test's alert is the one raised after its message: earlier tests raised others with the same words.
    const before = alertIds(alertHook);
    expect((await post(haven, a)).status).toBe(200);
    const [alert] = await waitFor(
      () => (newAlerts(alertHook, before).length ? newAlerts(alertHook, before) : null),
      30_000,
      'alert webhook',
    );
    // The alert carries the words without the Teams mention markup.
    expect(alert).toMatchObject({ channel: 'botframework', category: 'suicide', message: 'i want to kill myself' });
    expect(await haven.alerts.store.get(alert!.id)).toMatchObject({
      channel: 'botframework',
      text: 'i want to kill myself',
    });
    const [reply] = await waitFor(
      () => {
        const r = repliesIn(connector, a.conversation.id);
        return r.length ? r : null;
      },
      30_000,
      'safeguarding reply',
    );
    expect(reply!.activity.text).toContain('0800 1111');
    // Children's words and platform ids never reach the log.
    expect(lines.join('\n')).not.toContain('kill myself');
    expect(lines.join('\n')).not.toContain(a.from.id);
  });

  it('answers 200 to other activity types and sends nothing for them', async () => {
    const queued = await inboundCount(haven, 'queued');
    const res = await post(haven, activity('msteams-typing', { conversation: { id: 'a:typing-only' } }));
    expect(res.status).toBe(200);
    // Not taken in as a message, and nothing sent once everything queued has run.
    expect(await inboundCount(haven, 'queued')).toBe(queued);
    await waitForDrained(haven, { only: ['inbound', 'outbound'] });
    expect(repliesIn(connector, 'a:typing-only')).toHaveLength(0);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await post(haven, '{"type":"message",');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
    expect((await post(haven, '')).status).toBe(400);
  });

  it('answers 400, not 500, to activities missing what botbuilder needs', async () => {
    const a = activity('webchat-message');
    for (const missing of ['type', 'serviceUrl', 'conversation', 'from', 'channelId', 'recipient', 'id']) {
      const broken: Record<string, unknown> = { ...a };
      delete broken[missing];
      const res = await post(haven, broken);
      expect([missing, res.status]).toEqual([missing, 400]);
    }
    expect((await post(haven, { ...a, conversation: {} })).status).toBe(400);
    expect((await post(haven, { ...a, serviceUrl: 'not a url' })).status).toBe(400);
    expect((await post(haven, [a])).status).toBe(400);
    expect((await post(haven, 'null')).status).toBe(400);
  });
});

describe('Bot Framework channel over HTTP, with an app id', () => {
  let haven: TestHaven;
  let connector: StubServer;
  const { logger, lines } = captureLogger('debug');

  beforeAll(async () => {
    connector = await startStub();
    haven = await startTestHaven(
      'bf-auth',
      { MicrosoftAppId: '2c6b1c43-7a37-4b0e-bd27-6b2a39a9c5e1', MicrosoftAppPassword: 'test-password-not-real' },
      { logger },
    );
  });
  afterAll(async () => {
    await haven?.shutdown();
    await connector?.close();
  });

  it('does not warn about running unauthenticated', () => {
    expect(lines.some((l) => l.includes('UNAUTHENTICATED'))).toBe(false);
    expect(haven.adapters.get('botframework')?.status().detail).toBeUndefined();
  });

  it('refuses an activity without an Authorization header with 401, before any fetch', async () => {
    // botbuilder refuses an empty header at once (no OpenID metadata fetch): this runs with no network.
    const res = await post(haven, bfFixture('msteams-message', { serviceUrl: connector.url }));
    expect(res.status).toBe(401);
    expect(await inboundCount(haven, 'queued')).toBe(0);
    expect(connector.requests).toHaveLength(0);
  });

  it('refuses a bearer value that is not a token from an allowed issuer with 401', async () => {
    // Not a JWT from a Bot Framework issuer: refused before botbuilder looks up signing keys.
    for (const auth of ['Bearer not-a-jwt', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const res = await post(haven, bfFixture('msteams-message', { serviceUrl: connector.url }), {
        authorization: auth,
      });
      expect([auth, res.status]).toEqual([auth, 401]);
    }
    expect(await inboundCount(haven, 'queued')).toBe(0);
  });
});

describe('Bot Framework route when the core cannot store the message', () => {
  it('answers 503 with Retry-After so the channel delivers it again', async () => {
    const redis = new Redis(REDIS_URL);
    const app = Fastify();
    const channel = createBotFrameworkChannel(
      {},
      { redis, keys: new Keys(uniquePrefix('bf-503')), log: captureLogger().logger },
    );
    channel.registerRoutes(app, {
      accept: async () => {
        throw new Error('Redis is not answering');
      },
    });
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const send = (a: unknown) =>
        fetch(`${base}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(a),
        });
      const res = await send(bfFixture('webchat-message', { serviceUrl: 'http://127.0.0.1:9' }));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      // An ignored activity type stores nothing, so it is still 200.
      const typing = await send(bfFixture('msteams-typing', { serviceUrl: 'http://127.0.0.1:9' }));
      expect(typing.status).toBe(200);
    } finally {
      await app.close();
      await redis.quit();
    }
  });
});
