import type { ChannelStatus } from '../../src/engine/adapter';
import { MENU_CHOICES } from '../../src/flows/help/help';
import { ADVICE } from '../../src/flows/safeguarding/reply';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { fakeFactory, fixtureWithId, type FakeClient } from './whatsapp-web-fake';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

async function readyz(
  h: TestHaven,
): Promise<{ status: number; body: { status: string; channels: ChannelStatus[] }; raw: string }> {
  const res = await fetch(`${h.url}/readyz`);
  const raw = await res.text();
  return { status: res.status, body: JSON.parse(raw) as { status: string; channels: ChannelStatus[] }, raw };
}

describe('Haven with WHATSAPP_ENABLED=true and no Chromium', () => {
  let haven: TestHaven;

  beforeAll(async () => {
    haven = await startTestHaven('wwebjs-nochrome', {
      WHATSAPP_ENABLED: 'true',
      PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chromium',
    });
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  it('still serves the web chat, and /readyz answers 200 naming the WhatsApp problem', async () => {
    const page = await fetch(`${haven.url}/chat`);
    expect(page.status).toBe(200);
    const posted = await fetch(`${haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'browser-0123456789abcdef', id: 'm1', text: 'hi' }),
    });
    expect(posted.status).toBe(202);

    const r = await waitFor(
      async () => {
        const got = await readyz(haven);
        return got.body.channels.find((c) => c.channel === 'whatsapp')?.state === 'down' ? got : null;
      },
      5000,
      'the whatsapp channel to report down',
    );
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    const wa = r.body.channels.find((c) => c.channel === 'whatsapp');
    expect(wa?.detail).toContain('Chromium not found at /nonexistent/chromium');
    expect(r.body.channels.find((c) => c.channel === 'webchat')?.state).toBe('ready');
  });
});

describe('Haven end to end through WhatsApp Web (fake whatsapp-web.js client)', () => {
  let haven: TestHaven;
  let alerts: StubServer;
  const factory = fakeFactory();
  let client: FakeClient;

  beforeAll(async () => {
    alerts = await startStub();
    haven = await startTestHaven(
      'wwebjs-e2e',
      {
        WHATSAPP_ENABLED: 'true',
        // Any file that exists passes the Chromium check; the fake client never launches it.
        PUPPETEER_EXECUTABLE_PATH: process.execPath,
        ALERT_WEBHOOK_URL: `${alerts.url}/alerts`,
      },
      { whatsappClientFactory: factory.create },
    );
    client = await waitFor(() => factory.clients[0], 5000, 'the WhatsApp client');
    await waitFor(() => client.initializeCalls === 1, 5000, 'initialize');
  });
  afterAll(async () => {
    await haven?.shutdown();
    await alerts?.close();
  });

  it('while pairing, /readyz says needs_pairing but never shows the QR', async () => {
    const qr = '2@hP0aQ1bR2cS3dT4eU5fV6gW7hX8iY9jZ0,Km1Ln2Mo3Np4=,Qr5St6Uv7Wx8=,1';
    client.emit('qr', qr);
    const r = await readyz(haven);
    expect(r.body.channels.find((c) => c.channel === 'whatsapp')?.state).toBe('needs_pairing');
    expect(r.raw).not.toContain(qr);
    expect(haven.adapters.get('whatsapp')?.status().pairing?.qr).toBe(qr);
    client.emit('authenticated');
    client.emit('ready');
    expect((await readyz(haven)).body.channels.find((c) => c.channel === 'whatsapp')?.state).toBe('ready');
  });

  it('"hi" gets the greeting with the menu as numbered options, sent to the chat it came from', async () => {
    const hi = fixtureWithId('chat', '-hi');
    client.emit('message', hi);
    const reply = await waitFor(
      () => client.sent.find((s) => s.text.includes('Reply with a number:')),
      10_000,
      'a reply',
    );
    expect(reply.chatId).toBe(hi.from);
    const numbered = MENU_CHOICES.map((c, i) => `${i + 1}. ${c.title}`).join('\n');
    expect(reply.text).toContain(`Reply with a number:\n${numbered}`);
  });

  it('a concerning message gets the helplines, and the alert reaches the webhook without the phone number', async () => {
    const before = client.sent.length;
    const m = fixtureWithId('chat-concern', '-1', { from: '447700900456@c.us' });
    client.emit('message', m);
    // "i want to kill myself": the reply gives the helplines for suicidal thoughts (each concern has its own).
    const helplines = ADVICE.suicide.helplines;
    const reply = await waitFor(
      () => client.sent.slice(before).find((s) => s.chatId === m.from && s.text.includes(helplines[0] as string)),
      10_000,
      'the safeguarding reply',
    );
    for (const h of helplines) expect(reply.text).toContain(h);
    const alert = await waitFor(() => alerts.requests.find((r) => r.url === '/alerts'), 10_000, 'the alert webhook');
    expect(alert.json).toMatchObject({ type: 'safeguarding_alert', alert: { channel: 'whatsapp' } });
    expect(alert.body).not.toContain('447700900456');
  });

  it('a photo whose caption is concerning raises an alert and gets the helplines', async () => {
    const before = client.sent.length;
    const alertsBefore = alerts.requests.length;
    const photo = fixtureWithId('image', '-c', {
      from: '447700900789@c.us',
      body: 'this is what i did to my arm with the blade',
    });
    client.emit('message', photo);
    // A caption about self-harm: the reply gives the helplines for self-harm.
    const helplines = ADVICE.self_harm.helplines;
    const reply = await waitFor(
      () => client.sent.slice(before).find((s) => s.chatId === photo.from && s.text.includes(helplines[0] as string)),
      10_000,
      'the safeguarding reply',
    );
    for (const h of helplines) expect(reply.text).toContain(h);
    const alert = await waitFor(
      () => alerts.requests.slice(alertsBefore).find((r) => r.url === '/alerts'),
      10_000,
      'the alert webhook',
    );
    expect(alert.json).toMatchObject({
      type: 'safeguarding_alert',
      alert: { channel: 'whatsapp', category: 'self_harm' },
    });
  });

  it('a photo from someone Haven knows gets a kind "I can only read text" answer; a message from a group gets nothing', async () => {
    // The sender of "hi" above: a first contact would get the welcome instead.
    const before = client.sent.length;
    client.emit('message', fixtureWithId('group', '-g'));
    const photo = fixtureWithId('image', '-p');
    client.emit('message', photo);
    const reply = await waitFor(
      () => client.sent.slice(before).find((s) => s.chatId === photo.from),
      10_000,
      'a reply',
    );
    expect(reply.text).toMatch(/only read text/i);
    expect(client.sent.slice(before).every((s) => !s.chatId.endsWith('@g.us'))).toBe(true);
  });
});
