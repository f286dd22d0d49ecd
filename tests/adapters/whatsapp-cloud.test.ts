import { randomBytes, randomInt } from 'node:crypto';
import fetch from 'node-fetch';
import { signBody } from '../../src/adapters/meta';
import {
  WhatsAppCloudAdapter,
  createWhatsAppCloudAdapter,
  fitsButtons,
  parseWabaEvent,
} from '../../src/adapters/whatsapp-cloud';
import { ConfigError } from '../../src/config';
import { PlatformRefusedError } from '../../src/common/errors';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import buttonReply from '../fixtures/whatsapp-cloud/button-reply.json';
import error131047 from '../fixtures/whatsapp-cloud/error-131047.json';
import image from '../fixtures/whatsapp-cloud/image.json';
import listReply from '../fixtures/whatsapp-cloud/list-reply.json';
import sendSuccess from '../fixtures/whatsapp-cloud/send-success.json';
import status from '../fixtures/whatsapp-cloud/status.json';
import text from '../fixtures/whatsapp-cloud/text.json';

const SECRET = 'wa-cloud-app-secret-for-tests';
const VERIFY = 'wa-cloud-verify-token';
const TOKEN = 'EAAG-wa-cloud-token';
const PHONE_ID = '106540352242922';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A sender's WhatsApp id (a phone number): 44, then 12 random digits, so senders in a run do not share one by chance. */
const newWaId = () => `44${randomInt(1e12).toString().padStart(12, '0')}`;
const newId = () => `wamid.${randomBytes(16).toString('base64url')}`;

/** A documented fixture from this sender with a fresh message id. */
function event(fixture: unknown, waId: string, o: { id?: string; body?: string } = {}): Json {
  const e = JSON.parse(JSON.stringify(fixture)) as Json;
  for (const change of e.entry[0].changes as Json[]) {
    for (const c of (change.value.contacts ?? []) as Json[]) c.wa_id = waId;
    for (const m of (change.value.messages ?? []) as Json[]) {
      m.from = waId;
      m.id = o.id ?? newId();
      if (o.body !== undefined) m.text.body = o.body;
    }
  }
  return e;
}

describe('WhatsApp Cloud API events (documented shapes)', () => {
  it('reads text, button and list replies and media; passes over statuses and other numbers', () => {
    const w = newWaId();
    const parse = (f: unknown, id = PHONE_ID) => {
      const r = parseWabaEvent(f, id);
      if (!r.ok) throw new Error(r.error);
      return r;
    };
    expect(parse(event(text, w, { id: 'wamid.1' })).messages).toEqual([
      expect.objectContaining({
        channel: 'whatsapp-cloud',
        messageId: 'wamid.1',
        kind: 'text',
        text: 'hi',
        address: { waId: w },
        sentAt: 1739321024000,
      }),
    ]);
    expect(parse(event(buttonReply, w)).messages[0]).toMatchObject({ kind: 'choice', payload: 'MENU_WORRIED' });
    expect(parse(event(listReply, w)).messages[0]).toMatchObject({ kind: 'choice', payload: 'MENU_SAFETY' });
    expect(parse(event(image, w)).messages[0]).toMatchObject({ kind: 'media', text: 'look' });
    const uncaptioned = event(image, w);
    delete uncaptioned.entry[0].changes[0].value.messages[0].image.caption;
    expect(parse(uncaptioned).messages[0]).toMatchObject({ kind: 'media', text: '' });
    expect(parse(status).messages).toEqual([]);
    expect(parse(event(text, w), 'another-number').messages).toEqual([]);
    expect(parseWabaEvent({ object: 'page', entry: [] }, PHONE_ID)).toMatchObject({ ok: false });
  });

  it('uses reply buttons only for up to 3 choices with short titles', () => {
    const c = (title: string) => ({ title, payload: title.toUpperCase() });
    expect(fitsButtons([c('Yes'), c('No')])).toBe(true);
    expect(fitsButtons([c('a'), c('b'), c('c'), c('d')])).toBe(false);
    expect(fitsButtons([c('Talk to a youth worker')])).toBe(false);
    expect(fitsButtons([])).toBe(false);
  });

  it('names a missing setting', () => {
    const make = () =>
      createWhatsAppCloudAdapter(
        {
          WHATSAPP_CLOUD_ACCESS_TOKEN: 't',
          WHATSAPP_CLOUD_PHONE_NUMBER_ID: undefined,
          WHATSAPP_CLOUD_APP_SECRET: 's',
          WHATSAPP_CLOUD_VERIFY_TOKEN: 'v',
          WHATSAPP_CLOUD_API_URL: 'https://graph.facebook.com/v21.0',
        },
        {} as never,
      );
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/WHATSAPP_CLOUD_PHONE_NUMBER_ID/);
  });
});

describe('WhatsApp Cloud API transport in a running Haven', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  let graph: StubServer;
  let alertReceiver: StubServer;
  const refuse = new Set<string>();

  beforeAll(async () => {
    graph = await startStub();
    alertReceiver = await startStub();
    graph.respond((req, res) => {
      const to = String((req.json as Json | undefined)?.to ?? '');
      if (refuse.has(to)) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error131047));
        return;
      }
      const ok = JSON.parse(JSON.stringify(sendSuccess)) as Json;
      ok.contacts[0].input = to;
      ok.contacts[0].wa_id = to;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ok));
    });
    haven = await startTestHaven('wa-cloud', {
      WHATSAPP_CLOUD_ACCESS_TOKEN: TOKEN,
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_ID,
      WHATSAPP_CLOUD_APP_SECRET: SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY,
      WHATSAPP_CLOUD_API_URL: `${graph.url}/v21.0`,
      ALERT_WEBHOOK_URL: `${alertReceiver.url}/alerts`,
    });
  });
  afterAll(async () => {
    await haven?.shutdown();
    await graph?.close();
    await alertReceiver?.close();
  });

  const post = (body: unknown, o: { signature?: string | null } = {}) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = o.signature === undefined ? signBody(raw, SECRET) : o.signature;
    if (sig !== null) headers['x-hub-signature-256'] = sig;
    return fetch(`${haven.url}/webhooks/whatsapp`, { method: 'POST', headers, body: raw });
  };
  const sentTo = (w: string) =>
    graph.requests.filter((r) => r.url === `/v21.0/${PHONE_ID}/messages` && (r.json as Json)?.to === w);
  const replies = (w: string, n = 1) =>
    waitFor(() => (sentTo(w).length >= n ? sentTo(w) : null), 10_000, `${n} replies`);
  const drained = () =>
    waitFor(
      async () => {
        for (const q of [haven.queues.inbound, haven.queues.outbound]) {
          const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(c).some((n) => n > 0)) return false;
        }
        return true;
      },
      15_000,
      'queues drained',
    );

  it('answers the verification handshake only for the right token', async () => {
    const q = (t: string) =>
      `${haven.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${t}&hub.challenge=1158201444`;
    const ok = await fetch(q(VERIFY));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(q('wrong'))).status).toBe(403);
  });

  it('a signed text gets a reply at /{phone-number-id}/messages with the bearer token', async () => {
    const w = newWaId();
    expect((await post(event(text, w))).status).toBe(200);
    const [reply] = await replies(w);
    const body = reply?.json as Json;
    expect(body).toMatchObject({ messaging_product: 'whatsapp', to: w, type: 'text' });
    expect(body.text.body).toContain('Haven');
    // The menu's titles are too long for buttons: a numbered list instead.
    expect(body.text.body).toMatch(/\n1\. /);
    expect(reply?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('forged and missing signatures get 403 and nothing is queued; broken bodies get 400', async () => {
    const w = newWaId();
    const id = newId();
    const raw = JSON.stringify(event(text, w, { id }));
    expect((await post(raw, { signature: signBody(raw, 'forged') })).status).toBe(403);
    expect((await post(raw, { signature: null })).status).toBe(403);
    expect(
      await haven.redis.exists(haven.keys.dedupe('whatsapp-cloud', haven.vault.messageKey('whatsapp-cloud', id))),
    ).toBe(0);
    expect((await post('{"object":')).status).toBe(400);
    expect((await post({ object: 'page', entry: [] })).status).toBe(400);
    await drained();
    expect(sentTo(w)).toHaveLength(0);
  });

  it('status events are ignored and a duplicate message id is answered once', async () => {
    expect((await post(status)).status).toBe(200);
    const w = newWaId();
    const body = event(text, w);
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await replies(w);
    await drained();
    expect(sentTo(w)).toHaveLength(1);
    const recipient = (status.entry[0]?.changes[0]?.value.statuses[0] as Json).recipient_id;
    expect(sentTo(recipient)).toHaveLength(0);
  });

  it('a reply-button tap reaches the flows as that choice', async () => {
    const w = newWaId();
    await post(event(buttonReply, w));
    const [reply] = await replies(w);
    expect((reply?.json as Json).text.body).toMatch(/worry/i);
  });

  it('a concerning message raises an alert and gets the helplines', async () => {
    const w = newWaId();
    await post(event(text, w, { body: 'i want to kill myself tonight' }));
    await waitFor(
      () => alertReceiver.requests.find((r) => (r.json as Json)?.type === 'safeguarding_alert'),
      10_000,
      'alert',
    );
    const [reply] = await replies(w);
    expect((reply?.json as Json).text.body).toContain('0800 1111');
  });

  it('sends up to 3 short choices as reply buttons, and keeps the 24-hour window', async () => {
    const w = newWaId();
    const adapter = haven.adapters.get('whatsapp-cloud') as WhatsAppCloudAdapter;
    const choices = [
      { title: 'Yes please', payload: 'YES' },
      { title: 'No thanks', payload: 'NO' },
    ];
    await adapter.send(
      { waId: w },
      { text: 'Shall I book it?', choices },
      { purpose: 'response', lastInboundAt: Date.now() },
    );
    const [sent] = sentTo(w);
    expect(sent?.json).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Shall I book it?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'YES', title: 'Yes please' } },
            { type: 'reply', reply: { id: 'NO', title: 'No thanks' } },
          ],
        },
      },
    });
    const before = graph.requests.length;
    const outside = adapter.send(
      { waId: w },
      { text: 'Reminder' },
      { purpose: 'staff', lastInboundAt: Date.now() - 25 * 3600_000 },
    );
    await expect(outside).rejects.toMatchObject({ details: { platformCode: 'OUTSIDE_WINDOW', permanent: true } });
    expect(graph.requests.length).toBe(before);
  });

  it("Meta's re-engagement refusal (131047) is permanent", async () => {
    const w = newWaId();
    refuse.add(w);
    const adapter = haven.adapters.get('whatsapp-cloud') as WhatsAppCloudAdapter;
    const err = await adapter
      .send({ waId: w }, { text: 'hello' }, { purpose: 'response', lastInboundAt: Date.now() })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(PlatformRefusedError);
    expect((err as PlatformRefusedError).details).toMatchObject({ platformCode: 131047, permanent: true });
  });
});
