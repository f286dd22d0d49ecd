import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import fetch from 'node-fetch';
import { signBody } from '../../src/adapters/meta';
import {
  GET_STARTED,
  MessengerAdapter,
  createMessengerAdapter,
  parsePageEvent,
  setupMessengerProfile,
  truncateTitle,
} from '../../src/adapters/messenger';
import { ConfigError } from '../../src/config';
import { PlatformRefusedError } from '../../src/common/errors';
import { Outbox } from '../../src/engine/outbox';
import { jobId } from '../../src/engine/queues';
import { MENU } from '../../src/flows/help/help';
import { captureLogger, startStub, startTestHaven, waitFor, type StubRequest, type StubServer } from '../support/haven';
import attachment from '../fixtures/messenger/attachment.json';
import batch from '../fixtures/messenger/batch.json';
import deliveryRead from '../fixtures/messenger/delivery-read.json';
import echo from '../fixtures/messenger/echo.json';
import error551 from '../fixtures/messenger/error-551.json';
import error613 from '../fixtures/messenger/error-613.json';
import notPage from '../fixtures/messenger/not-page.json';
import { waitForDrained } from '../support/queues';
import postbackGetStarted from '../fixtures/messenger/postback-get-started.json';
import postbackMenu from '../fixtures/messenger/postback-menu.json';
import profileSuccess from '../fixtures/messenger/profile-success.json';
import quickReply from '../fixtures/messenger/quick-reply.json';
import text from '../fixtures/messenger/text.json';

const SECRET = 'messenger-app-secret-for-tests';
const VERIFY = 'messenger-verify-token-for-tests';
const TOKEN = 'EAAG-page-token-for-tests';
const PAGE_ID = '104857600000001';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fresh PSID per test, so tests do not see each other's replies. */
const newPsid = () =>
  `64${Math.floor(Math.random() * 1e14)
    .toString()
    .padStart(14, '0')}`;
const newMid = () => `m_${randomBytes(12).toString('base64url')}`;

/** A documented fixture with this test's sender (and a fresh mid unless given). */
function event(fixture: unknown, psid: string, o: { mid?: string; text?: string } = {}): Json {
  const e = JSON.parse(JSON.stringify(fixture)) as Json;
  const mid = o.mid ?? newMid();
  for (const entry of e.entry as Json[]) {
    for (const m of entry.messaging as Json[]) {
      if (m.sender.id === PAGE_ID) m.recipient.id = psid;
      else m.sender.id = psid;
      if (m.message) {
        m.message.mid = mid;
        if (o.text !== undefined) m.message.text = o.text;
      }
      if (m.postback?.mid) m.postback.mid = mid;
    }
  }
  return e;
}

describe('Messenger events (documented shapes)', () => {
  it('reads text, quick replies, postbacks and attachments, and passes over echoes, deliveries and reads', () => {
    const psid = newPsid();
    const parse = (f: unknown) => {
      const r = parsePageEvent(f);
      if (!r.ok) throw new Error(r.error);
      return r;
    };
    expect(parse(event(text, psid, { mid: 'm1' })).messages).toEqual([
      expect.objectContaining({ channel: 'messenger', messageId: 'm1', kind: 'text', text: 'hi', address: { psid } }),
    ]);
    expect(parse(event(quickReply, psid)).messages[0]).toMatchObject({ kind: 'choice', payload: 'MENU_WORRIED' });
    expect(parse(event(postbackGetStarted, psid, { mid: 'pb1' })).messages[0]).toMatchObject({
      kind: 'start',
      messageId: 'pb1',
    });
    const menu = parse(event(postbackMenu, psid)).messages[0];
    expect(menu).toMatchObject({ kind: 'choice', payload: 'MENU_WORRIED' });
    // No mid on this postback: a stable id that does not contain the PSID.
    expect(parse(event(postbackMenu, psid)).messages[0]?.messageId).toBe(menu?.messageId);
    expect(menu?.messageId).not.toContain(psid);
    expect(parse(event(attachment, psid)).messages[0]).toMatchObject({ kind: 'media', text: '' });
    expect(parse(event(echo, psid)).messages).toEqual([]);
    const dr = parse(event(deliveryRead, psid));
    expect(dr.messages).toEqual([]);
    expect(dr.ignored).toBe(2);
    expect(parse(batch).messages).toHaveLength(4);
    expect(parsePageEvent(notPage)).toEqual({ ok: false, error: 'not a Messenger page event' });
    expect(parsePageEvent([])).toMatchObject({ ok: false });
  });

  it('cuts quick-reply titles to 20 characters at a word', () => {
    expect(truncateTitle('Talk to a youth worker')).toBe('Talk to a youth…');
    expect(truncateTitle('Staying safe online')).toBe('Staying safe online');
    expect(truncateTitle('Supercalifragilisticexpialidocious')).toHaveLength(20);
  });

  it('chooses RESPONSE, HUMAN_AGENT or nothing by the window and purpose', () => {
    const now = Date.now();
    const h = 3600_000;
    expect(MessengerAdapter.modeFor({ purpose: 'notice', lastInboundAt: now - 23 * h }, now)).toEqual({
      messaging_type: 'RESPONSE',
    });
    expect(MessengerAdapter.modeFor({ purpose: 'notice', lastInboundAt: now - 25 * h }, now)).toBeNull();
    expect(MessengerAdapter.modeFor({ purpose: 'response', lastInboundAt: undefined }, now)).toBeNull();
    expect(MessengerAdapter.modeFor({ purpose: 'staff', lastInboundAt: now - 6 * 24 * h }, now)).toEqual({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(MessengerAdapter.modeFor({ purpose: 'staff', lastInboundAt: now - 8 * 24 * h }, now)).toBeNull();
    // Haven's own notices to staff (alerts, new requests) are automated: never under HUMAN_AGENT.
    expect(MessengerAdapter.modeFor({ purpose: 'staff_notice', lastInboundAt: now - 23 * h }, now)).toEqual({
      messaging_type: 'RESPONSE',
    });
    expect(MessengerAdapter.modeFor({ purpose: 'staff_notice', lastInboundAt: now - 2 * 24 * h }, now)).toBeNull();
    // A reminder of a session they arranged goes with CONFIRMED_EVENT_UPDATE, whenever it falls.
    expect(MessengerAdapter.modeFor({ purpose: 'event', lastInboundAt: now - 20 * 24 * h }, now)).toEqual({
      messaging_type: 'MESSAGE_TAG',
      tag: 'CONFIRMED_EVENT_UPDATE',
    });
  });

  it('names a missing setting', () => {
    const make = () =>
      createMessengerAdapter(
        {
          MESSENGER_APP_SECRET: 's',
          MESSENGER_VERIFY_TOKEN: 'v',
          MESSENGER_PAGE_ACCESS_TOKEN: undefined,
          MESSENGER_API_URL: 'https://graph.facebook.com/v21.0',
        },
        {} as never,
      );
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/MESSENGER_PAGE_ACCESS_TOKEN/);
  });
});

describe('Messenger channel in a running Haven', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  let graph: StubServer;
  let alertReceiver: StubServer;
  const captured = captureLogger('debug');
  /** Per-recipient answers; return true when the request was answered. */
  const behaviours = new Map<string, (req: StubRequest, res: ServerResponse) => boolean>();
  const psidsUsed: string[] = [];

  beforeAll(async () => {
    graph = await startStub();
    alertReceiver = await startStub();
    graph.respond((req, res) => {
      const id = String((req.json as Json | undefined)?.recipient?.id ?? '');
      if (behaviours.get(id)?.(req, res)) return;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ recipient_id: id, message_id: newMid() }));
    });
    haven = await startTestHaven(
      'messenger',
      {
        MESSENGER_APP_SECRET: SECRET,
        MESSENGER_VERIFY_TOKEN: VERIFY,
        MESSENGER_PAGE_ACCESS_TOKEN: TOKEN,
        MESSENGER_API_URL: `${graph.url}/v21.0`,
        ALERT_WEBHOOK_URL: `${alertReceiver.url}/alerts`,
      },
      { logger: captured.logger },
    );
  });
  afterAll(async () => {
    await haven?.shutdown();
    await graph?.close();
    await alertReceiver?.close();
  });

  const psid = () => {
    const p = newPsid();
    psidsUsed.push(p);
    return p;
  };
  const post = (body: unknown, o: { signature?: string | null } = {}) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = o.signature === undefined ? signBody(raw, SECRET) : o.signature;
    if (sig !== null) headers['x-hub-signature-256'] = sig;
    return fetch(`${haven.url}/webhooks/messenger`, { method: 'POST', headers, body: raw });
  };
  const requestsTo = (p: string) =>
    graph.requests.filter((r) => r.url === '/v21.0/me/messages' && (r.json as Json)?.recipient?.id === p);
  const messagesTo = (p: string) => requestsTo(p).filter((r) => (r.json as Json).message);
  const replies = (p: string, n = 1) =>
    waitFor(() => (messagesTo(p).length >= n ? messagesTo(p) : null), 10_000, `${n} replies`);
  /** Inbound and outbound queues have nothing waiting, running or delayed. */
  const drained = () => waitForDrained(haven, { only: ['inbound', 'outbound'] });
  const conversation = (p: string) => haven.vault.conversationId('messenger', p);

  it('answers the verification handshake only for the right token', async () => {
    const q = (token: string) =>
      `${haven.url}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=CHALLENGE_ACCEPTED_42`;
    const ok = await fetch(q(VERIFY));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('CHALLENGE_ACCEPTED_42');
    const bad = await fetch(q('guess'));
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain('CHALLENGE_ACCEPTED_42');
  });

  it('a signed "hi" gets a reply at the Graph API, with quick replies and the page token', async () => {
    const p = psid();
    const res = await post(event(text, p));
    expect(res.status).toBe(200);
    const [reply] = await replies(p);
    const body = reply?.json as Json;
    expect(body.messaging_type).toBe('RESPONSE');
    expect(body.message.text).toContain('Haven');
    expect(reply?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(reply?.url).not.toContain(TOKEN);
    const qr = body.message.quick_replies as Json[];
    expect(qr.map((q) => q.payload)).toEqual(expect.arrayContaining([MENU.request, MENU.worried]));
    for (const q of qr) {
      expect(q.content_type).toBe('text');
      expect(q.title.length).toBeLessThanOrEqual(20);
    }
    if (body.message.text.length > 300) {
      // A slow reply is preceded by the typing indicator.
      const all = requestsTo(p);
      expect((all[0]?.json as Json).sender_action).toBe('typing_on');
    }
  });

  it('forged and missing signatures get 403 and nothing is queued', async () => {
    const p = psid();
    const mid = newMid();
    const body = event(text, p, { mid });
    const raw = JSON.stringify(body);
    expect((await post(raw, { signature: signBody(raw, 'not-the-secret') })).status).toBe(403);
    expect((await post(raw, { signature: null })).status).toBe(403);
    expect((await post(raw, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(403);
    expect(await haven.redis.exists(haven.keys.dedupe('messenger', haven.vault.messageKey('messenger', mid)))).toBe(0);
    await drained();
    expect(requestsTo(p)).toHaveLength(0);
  });

  it('broken JSON and a non-page object get 400', async () => {
    expect((await post('{"object":"page","entry":[')).status).toBe(400);
    expect((await post(notPage)).status).toBe(400);
    expect((await post({ object: 'page' })).status).toBe(400);
  });

  it('answers every message in a batch (2 entries × 2 messaging items)', async () => {
    const res = await post(batch);
    expect(res.status).toBe(200);
    const psids = (batch.entry as Json[]).flatMap((e) => (e.messaging as Json[]).map((m) => m.sender.id as string));
    expect(psids).toHaveLength(4);
    for (const p of psids) await replies(p);
  });

  it('the same mid delivered twice is answered once', async () => {
    const p = psid();
    const body = event(text, p);
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await replies(p);
    await drained();
    expect(messagesTo(p)).toHaveLength(1);
  });

  it('ignores echoes of the page’s own messages, deliveries and reads', async () => {
    const p = psid();
    const mid = newMid();
    expect((await post(event(echo, p, { mid }))).status).toBe(200);
    expect((await post(event(deliveryRead, p))).status).toBe(200);
    await drained();
    expect(await haven.redis.exists(haven.keys.dedupe('messenger', haven.vault.messageKey('messenger', mid)))).toBe(0);
    expect(graph.requests.filter((r) => (r.json as Json)?.recipient?.id === PAGE_ID)).toHaveLength(0);
    expect(requestsTo(p)).toHaveLength(0);
  });

  it('quick reply round trip: the tapped payload reaches the flows', async () => {
    const p = psid();
    await post(event(text, p));
    const [first] = await replies(p);
    const offered = ((first?.json as Json).message.quick_replies as Json[]).find((q) => q.payload === MENU.worried);
    expect(offered).toBeDefined();
    const tap = event(quickReply, p, { text: offered?.title });
    tap.entry[0].messaging[0].message.quick_reply.payload = offered?.payload;
    await post(tap);
    const all = await replies(p, 2);
    const second = (all[1]?.json as Json).message.text as string;
    expect(second).not.toBe((first?.json as Json).message.text);
    expect(second).toMatch(/worry/i);
  });

  it('Get Started, the persistent menu and attachments are answered', async () => {
    const a = psid();
    await post(event(postbackGetStarted, a));
    const [start] = await replies(a);
    expect((start?.json as Json).message.text).toContain("Hi, I'm Haven");
    // Meta's Get Started postback carries the payload Haven sets on the page's profile (see the
    // profile test), and Haven took it as a start, not as text it did not understand.
    expect(postbackGetStarted.entry[0]!.messaging[0]!.postback.payload).toBe(GET_STARTED);
    expect((start?.json as Json).message.text).not.toMatch(/didn't quite get that/);

    const b = psid();
    await post(event(postbackMenu, b));
    const [menu] = await replies(b);
    expect((menu?.json as Json).message.text).toMatch(/worry/i);

    // Someone who has said hello before (a first contact gets the welcome whatever it sent).
    const c = psid();
    await post(event(text, c));
    await replies(c);
    await post(event(attachment, c));
    const [, media] = await replies(c, 2);
    expect((media?.json as Json).message.text).toMatch(/only read text/i);
  });

  it('a rate limit (429) is retried after Retry-After and the message is sent once', async () => {
    const p = psid();
    let refused = 0;
    let refusedAt = 0;
    behaviours.set(p, (req, res) => {
      if (!(req.json as Json).message || refused > 0) return false;
      refused++;
      refusedAt = Date.now();
      // Two minutes: far from the 1 s first backoff Haven uses when no Retry-After is given.
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '120' }).end(JSON.stringify(error613));
      return true;
    });
    await post(event(text, p));
    // The reply's job waits for the time Meta asked for: due 120 s after the refusal, not 1 s.
    const retry = await waitFor(
      async () =>
        (await haven.queues.outbound.getDelayed()).find((j) => JSON.stringify(j.data).includes(conversation(p))),
      30_000,
      'the refused reply to wait for its retry',
    );
    // BullMQ keeps a delayed job in a sorted set scored by its due time (ms, times 0x1000).
    const score = await haven.redis.zscore(`${haven.keys.queuePrefix}:outbound:delayed`, retry.id!);
    const due = Math.floor(Number(score) / 0x1000);
    expect(retry.delay).toBe(120_000);
    expect(due - refusedAt).toBeGreaterThanOrEqual(120_000);
    expect(due - refusedAt).toBeLessThanOrEqual(121_000 + 30_000);
    // Time moved on: the retry runs, and the reply goes once.
    await retry.promote();
    await replies(p, 2);
    await drained();
    expect(refused).toBe(1);
    expect(messagesTo(p)).toHaveLength(2); // one refused, one delivered
  });

  it('a burst of 429s and 500s across many people ends with every reply sent exactly once', async () => {
    const people = Array.from({ length: 8 }, () => psid());
    let refusals = 0;
    for (const [i, p] of people.entries()) {
      let failed = 0;
      // Each person's first reply meets one or two refusals: a rate limit (with Retry-After) or a 500.
      const failures = 1 + (i % 2);
      behaviours.set(p, (req, res) => {
        if (!(req.json as Json).message || failed >= failures) return false;
        failed++;
        refusals++;
        if ((i + failed) % 2 === 0)
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(error613));
        else res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":2,"message":"x"}}');
        return true;
      });
    }
    const mids = people.map(() => newMid());
    for (const [i, p] of people.entries()) {
      const e = event(text, p) as Json;
      e.entry[0].messaging[0].message.mid = mids[i];
      await post(e);
    }
    for (const p of people) await replies(p, 1 + (people.indexOf(p) % 2) + 1);
    await drained();
    expect(refusals).toBe(people.reduce((n, _p, i) => n + 1 + (i % 2), 0));
    for (const [i, p] of people.entries()) {
      const texts = messagesTo(p).map((r) => (r.json as Json).message.text as string);
      // The refused attempts and the one that went through carry the same reply; nothing beyond it.
      expect(texts).toHaveLength(1 + (i % 2) + 1);
      expect(new Set(texts).size).toBe(1);
    }
  });

  it('551 (person unavailable) is not retried and is recorded as failed', async () => {
    const p = psid();
    behaviours.set(p, (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error551));
      return true;
    });
    await post(event(text, p));
    const conv = conversation(p);
    const failed = await waitFor(
      async () => (await haven.queues.outbound.getFailed(0, 200)).find((j) => j.data.conversationId === conv),
      10_000,
      'failed job',
    );
    await drained();
    expect(requestsTo(p)).toHaveLength(1);
    expect(failed.attemptsMade).toBeLessThanOrEqual(1);
    expect(failed.failedReason).toMatch(/551/);
  });

  it('a concerning message reaches ALERT_WEBHOOK_URL and the young person gets the helplines', async () => {
    const p = psid();
    await post(event(text, p, { text: 'i want to kill myself tonight' }));
    const alert = await waitFor(
      () => alertReceiver.requests.find((r) => (r.json as Json)?.type === 'safeguarding_alert'),
      10_000,
      'alert webhook',
    );
    expect((alert.json as Json).type).toBe('safeguarding_alert');
    expect(alert.body).not.toContain(p);
    const [reply] = await replies(p);
    expect((reply?.json as Json).message.text).toContain('0800 1111');
  });

  it('a message past 4,096 characters with a disclosure near its end: alerted, with that part for staff, and answered', async () => {
    const p = psid();
    const chat = 'today was ok, had maths and english then lunch was pasta and we had a quiz in form time. ';
    const before = chat.repeat(Math.ceil(4600 / chat.length));
    const disclosure = 'tbh i want to kill myself tonight and i have the pills ready. ';
    const long = `${before}${disclosure}${chat.repeat(4)}`;
    expect(long.indexOf(disclosure)).toBeGreaterThan(4096);
    expect((await post(event(text, p, { text: long }))).status).toBe(200);
    // Alerted, for this young person: the concern was read past character 4,096.
    const [alertId] = await waitFor(
      async () => {
        const ids = await haven.alerts.openAlertIdsFor(conversation(p));
        return ids.length ? ids : null;
      },
      10_000,
      'the alert for the long message',
    );
    const alert = await haven.alerts.store.get(alertId as string);
    expect(alert?.category).toBe('suicide');
    // Staff read the part that raised it (a part of the message, marked as one), not the first 4,096 characters.
    expect(alert?.text).toContain('kill myself tonight');
    expect(alert?.text.startsWith('… ')).toBe(true);
    expect(alert?.text.length).toBeLessThanOrEqual(4096 + 4);
    // And the young person gets the helplines.
    const [reply] = await replies(p);
    expect((reply?.json as Json).message.text).toContain('0800 1111');
  });

  it('outside the 24-hour window: a notice is not sent; staff go with HUMAN_AGENT within 7 days', async () => {
    const p = psid();
    await post(event(text, p));
    await replies(p);
    await drained();
    const conv = conversation(p);
    const outbox = new Outbox(haven.queues.outbound);
    await haven.redis.set(haven.keys.lastInbound(conv), String(Date.now() - 25 * 3600_000));

    await outbox.send(conv, { text: 'A reminder from Haven.' }, 'notice', `test-notice-${p}`);
    const notice = await haven.queues.outbound.getJob(jobId('out', `test-notice-${p}`));
    await waitFor(async () => (await notice?.getState()) === 'failed', 10_000, 'notice refused');
    const refused = await haven.queues.outbound.getJob(jobId('out', `test-notice-${p}`));
    expect(refused?.failedReason).toMatch(/window/);

    await outbox.send(conv, { text: 'Hi, it is Jo from the youth team.' }, 'staff', `test-staff-${p}`);
    const staff = await replies(p, 2);
    expect(staff[1]?.json).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(messagesTo(p).map((r) => (r.json as Json).message.text)).not.toContain('A reminder from Haven.');
  });

  it('splits long text at 2,000 characters on sentence boundaries, quick replies on the last part only', async () => {
    const p = psid();
    const adapter = haven.adapters.get('messenger') as MessengerAdapter;
    const long = Array.from({ length: 90 }, (_, i) => `Here is a helpful sentence, number ${i + 1}.`).join(' ');
    expect(long.length).toBeGreaterThan(2000 * 1.5);
    await adapter.send(
      { psid: p },
      { text: long, choices: [{ title: 'OK', payload: 'OK' }] },
      { purpose: 'response', lastInboundAt: Date.now() },
    );
    const all = requestsTo(p);
    expect((all[0]?.json as Json).sender_action).toBe('typing_on');
    const parts = messagesTo(p).map((r) => (r.json as Json).message);
    expect(parts.length).toBe(Math.ceil(long.length / 2000));
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(2000);
      expect(part.text).toMatch(/\d\.$/);
    }
    expect(parts.map((x) => x.text).join(' ')).toBe(long);
    expect(parts.slice(0, -1).every((x) => x.quick_replies === undefined)).toBe(true);
    expect(parts[parts.length - 1].quick_replies).toEqual([{ content_type: 'text', title: 'OK', payload: 'OK' }]);
  });

  it('a retry after a failure on part 2 resumes at part 2', async () => {
    const p = psid();
    const adapter = haven.adapters.get('messenger') as MessengerAdapter;
    const long = Array.from({ length: 150 }, (_, i) => `Sentence ${i + 1} of a long answer.`).join(' ');
    expect(long.length).toBeGreaterThan(4000);
    let calls = 0;
    behaviours.set(p, (req, res) => {
      if (!(req.json as Json).message) return false;
      calls++;
      if (calls !== 2) return false;
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":2,"message":"x"}}');
      return true;
    });
    const send = () => adapter.send({ psid: p }, { text: long }, { purpose: 'response', lastInboundAt: Date.now() });
    await expect(send()).rejects.toMatchObject({ name: 'PlatformUnavailableError' });
    await send();
    const texts = messagesTo(p).map((r) => (r.json as Json).message.text as string);
    // part 1, part 2 (failed), part 2 again, part 3: part 1 is not repeated.
    expect(texts).toHaveLength(4);
    expect(texts[1]).toBe(texts[2]);
    expect(new Set(texts).size).toBe(3);
    expect([texts[0], texts[2], texts[3]].join(' ')).toBe(long);
  });

  it('refuses to send to a malformed address without calling Meta', async () => {
    const adapter = haven.adapters.get('messenger') as MessengerAdapter;
    const before = graph.requests.length;
    await expect(
      adapter.send({ nope: 1 }, { text: 'x' }, { purpose: 'response', lastInboundAt: Date.now() }),
    ).rejects.toBeInstanceOf(PlatformRefusedError);
    expect(graph.requests.length).toBe(before);
  });

  it('logged nothing that identifies anyone, nor the token or what they wrote', () => {
    const log = captured.lines.join('\n');
    expect(captured.lines.length).toBeGreaterThan(0);
    for (const p of psidsUsed) expect(log).not.toContain(p);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('kill myself');
  });
});

describe('haven messenger setup', () => {
  it('sets Get Started, the greeting and the persistent menu through the Messenger Profile API', async () => {
    const graph = await startStub();
    graph.respond((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(profileSuccess)),
    );
    try {
      const out = await setupMessengerProfile({
        apiUrl: `${graph.url}/v21.0/`,
        pageAccessToken: TOKEN,
        charityName: 'Young Carers Together',
      });
      expect(out).toEqual({ result: 'success' });
      const [req] = graph.requests;
      expect(req?.url).toBe('/v21.0/me/messenger_profile');
      expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      const body = req?.json as Json;
      expect(body.get_started).toEqual({ payload: GET_STARTED });
      expect(body.greeting[0].text.length).toBeLessThanOrEqual(160);
      const menu = body.persistent_menu[0].call_to_actions as Json[];
      expect(menu.map((m) => [m.title, m.payload])).toEqual([
        ['Talk to a youth worker', MENU.request],
        ['Staying safe online', MENU.safety],
        ["I'm worried about something", MENU.worried],
      ]);
      expect(menu.every((m) => m.type === 'postback')).toBe(true);
    } finally {
      await graph.close();
    }
  });
});
