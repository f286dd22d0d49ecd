import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  createWhatsAppWebAdapter,
  type WhatsAppWebAdapter,
  type WhatsAppWebConfig,
} from '../../src/adapters/whatsapp-web';
import type { AdapterContext } from '../../src/engine/adapter';
import { PlatformRefusedError, PlatformUnavailableError } from '../../src/common/errors';
import { Keys } from '../../src/engine/keys';
import type { InboundMessage } from '../../src/engine/message';
import { captureLogger, fakeFactory, fixture, fixtureWithId, waitFor, type FakeClient } from './whatsapp-web-fake';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const prefix = `t-wwebjs-${randomBytes(4).toString('hex')}`;
const keys = new Keys(prefix);
const lockKey = keys.custom('whatsapp', 'lock');
let redis: Redis;
const running: WhatsAppWebAdapter[] = [];

const TIMING = {
  // Far longer than a renewal could be late on a busy machine: a lease only lapses when a test means it to.
  lockTtlMs: 30_000,
  lockRenewMs: 100,
  standbyRetryMs: 50,
  reconnectBaseMs: 20,
  reconnectMaxMs: 80,
  acceptRetryBaseMs: 20,
  acceptRetryMaxMs: 100,
  maxHeld: 3,
};

/** An adapter on the test prefix with a fake client; `process.execPath` stands in for an existing Chromium. */
function make(config: Partial<WhatsAppWebConfig> = {}) {
  const factory = fakeFactory();
  const { logger, lines } = captureLogger('debug');
  const printed: string[] = [];
  const accepted: InboundMessage[] = [];
  let failAccept = false;
  const ctx: AdapterContext = {
    accept: async (m) => {
      if (failAccept) throw new Error('Redis is down');
      accepted.push(m);
      return { outcome: 'queued', conversationId: `whatsapp:c${accepted.length}` };
    },
  };
  const adapter = createWhatsAppWebAdapter(
    { authPath: '/tmp/haven-wwebjs-test', executablePath: process.execPath, ...config },
    { redis, keys, log: logger, createClient: (o) => factory.create(o), print: (t) => printed.push(t), timing: TIMING },
  );
  running.push(adapter);
  return {
    adapter,
    ctx,
    factory,
    lines,
    printed,
    accepted,
    setFailAccept: (v: boolean) => {
      failAccept = v;
    },
    client: (): FakeClient => {
      const c = factory.clients[factory.clients.length - 1];
      if (!c) throw new Error('no client made');
      return c;
    },
  };
}

/** Log lines as objects, for asserting what was (not) logged. */
function logged(lines: string[], msg: string): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
  await redis.del(lockKey);
});

afterAll(async () => {
  const left = await redis.keys(`${prefix}:*`);
  if (left.length) await redis.del(...left);
  await redis.quit();
});

describe('WhatsApp Web adapter: start and the missing-Chromium case', () => {
  it('takes the session lock, passes LocalAuth/Chromium settings to the client and initialises it', async () => {
    const t = make({ authPath: '/data/wwebjs', pairingNumber: undefined });
    await t.adapter.start(t.ctx);
    const c = t.client();
    expect(c.options).toEqual({ authPath: '/data/wwebjs', executablePath: process.execPath, pairingNumber: undefined });
    expect(c.initializeCalls).toBe(1);
    expect(t.adapter.status().state).toBe('starting');
    expect(await redis.get(lockKey)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('with no Chromium at the path: down with the reason, start() resolves, no client is made', async () => {
    const t = make({ executablePath: '/nonexistent/chromium' });
    await expect(t.adapter.start(t.ctx)).resolves.toBeUndefined();
    const s = t.adapter.status();
    expect(s.state).toBe('down');
    expect(s.detail).toContain('Chromium not found at /nonexistent/chromium');
    expect(t.factory.clients).toHaveLength(0);
    expect(await redis.get(lockKey)).toBeNull();
  });

  it('when initialize() fails (whatsapp-web.js throws a string): down with the reason, then retried', async () => {
    const t = make();
    const factory = t.factory;
    const adapter = t.adapter;
    // The first client's initialize throws as whatsapp-web.js does on an auth timeout.
    const create = factory.create;
    factory.create = (o) => {
      const c = create(o);
      c.initializeError = 'auth timeout';
      return c;
    };
    await expect(adapter.start(t.ctx)).resolves.toBeUndefined();
    expect(adapter.status()).toMatchObject({ state: 'down', detail: 'WhatsApp Web failed to start: auth timeout' });
    const c = t.client();
    await waitFor(() => c.initializeCalls >= 2, 5000, 'a second initialize');
    expect(c.destroyCalls).toBeGreaterThanOrEqual(1);
    c.initializeError = undefined;
    await waitFor(() => adapter.status().state === 'starting', 5000, 'starting again');
    c.emit('ready');
    expect(adapter.status().state).toBe('ready');
  });

  it('when the client cannot even be created: down with the reason', async () => {
    const t = make();
    t.factory.create = () => {
      throw new Error('Failed to launch the browser process');
    };
    await t.adapter.start(t.ctx);
    expect(t.adapter.status()).toMatchObject({ state: 'down' });
    expect(t.adapter.status().detail).toContain('Failed to launch the browser process');
  });
});

describe('WhatsApp Web adapter: pairing and connection events', () => {
  it('qr: needs_pairing, the raw QR kept in status().pairing, a small QR printed; neither in JSON logs nor in a serialised status', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const qr = '2@Xk3vQ9pLm0aZ1bY2cX3dW4eV5fU6gT7hS8iR9jQ0kP,qL1mN2oP3qR4sT5uV6wX7yZ8aB9cD0eF1gH2iJ3kL4m=,AbCdEfGh,1';
    t.client().emit('qr', qr);
    const s = t.adapter.status();
    expect(s.state).toBe('needs_pairing');
    expect(s.pairing?.qr).toBe(qr);
    await waitFor(() => t.printed.length > 0, 2000, 'the QR to be printed');
    expect(t.printed[0]).toContain('Linked devices');
    expect(t.printed[0]).toMatch(/[▀▄█]/);
    expect(t.printed.join('')).not.toContain(qr);
    expect(JSON.stringify(s)).not.toContain(qr);
    expect(t.lines.join('\n')).not.toContain(qr);
    expect(
      logged(t.lines, 'WhatsApp needs pairing: a QR code is printed in the terminal and shown on the staff dashboard'),
    ).toHaveLength(1);
  });

  it('pairing by code (whatsapp-web.js ≥ 1.26 emits `code` when a pairing number is set): code kept and printed, not logged', async () => {
    const t = make({ pairingNumber: '447700900999' });
    await t.adapter.start(t.ctx);
    expect(t.client().options.pairingNumber).toBe('447700900999');
    t.client().emit('code', 'K7QX2MPL');
    const s = t.adapter.status();
    expect(s.state).toBe('needs_pairing');
    expect(s.pairing?.code).toBe('K7QX2MPL');
    expect(t.printed.join('\n')).toContain('K7QX-2MPL');
    expect(t.lines.join('\n')).not.toContain('K7QX');
    expect(t.lines.join('\n')).not.toContain('447700900999');
    expect(JSON.stringify(s)).not.toContain('K7QX');
  });

  it('pairing by code when the library emits `qr` instead: requestPairingCode(number) on the first qr only', async () => {
    const t = make({ pairingNumber: '447700900999' });
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.pairingCode = 'ZZ9PLURA';
    c.emit('qr', '2@first');
    c.emit('qr', '2@second');
    await waitFor(() => t.adapter.status().pairing?.code, 2000, 'the pairing code');
    expect(c.pairingRequests).toEqual(['447700900999']);
    expect(t.adapter.status().pairing).toEqual({ qr: '2@second', code: 'ZZ9PLURA' });
    expect(t.printed.join('\n')).toContain('ZZ9P-LURA');
  });

  it('authenticated then ready: pairing data cleared, state ready', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('qr', '2@abc');
    c.emit('authenticated');
    expect(t.adapter.status()).toMatchObject({ state: 'starting', detail: 'authenticated; loading chats' });
    expect(t.adapter.status().pairing).toBeUndefined();
    c.emit('ready');
    expect(t.adapter.status()).toEqual({ channel: 'whatsapp', state: 'ready' });
  });

  it('auth_failure: down with the reason, then a new attempt (destroy + initialize)', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('auth_failure', 'Unable to restore the session');
    expect(t.adapter.status().state).toBe('down');
    expect(t.adapter.status().detail).toContain('WhatsApp refused the login: Unable to restore the session');
    await waitFor(() => c.initializeCalls === 2, 5000, 'a new initialize');
    expect(c.destroyCalls).toBe(1);
  });

  it('disconnected: down with the reason, reconnect by destroy + initialize with growing, capped backoff; ready resets it', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('ready');
    for (let i = 1; i <= 4; i++) {
      c.emit('disconnected', 'NAVIGATION');
      expect(t.adapter.status()).toMatchObject({ state: 'down', detail: 'disconnected from WhatsApp: NAVIGATION' });
      await waitFor(() => c.initializeCalls === 1 + i, 5000, `reconnect ${i}`);
      expect(c.destroyCalls).toBe(i);
    }
    const delays = logged(t.lines, 'WhatsApp reconnect scheduled').map((l) => l.delayMs);
    expect(delays).toEqual([20, 40, 80, 80]);
    c.emit('ready');
    c.emit('disconnected', 'LOGOUT');
    await waitFor(() => c.initializeCalls === 6, 5000, 'reconnect after ready');
    expect(logged(t.lines, 'WhatsApp reconnect scheduled').map((l) => l.delayMs)).toEqual([20, 40, 80, 80, 20]);
  });
});

describe('WhatsApp Web adapter: messages', () => {
  it('text → text, media → media (nothing downloaded); fromMe, groups, status and system messages ignored', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('ready');
    const names = [
      'chat',
      'from-me',
      'group',
      'status',
      'image',
      'voice-note',
      'location',
      'sticker',
      'e2e-notification',
      'call-log',
      'revoked',
      'notification-template',
      'protocol',
      'ciphertext',
      'gp2',
      'broadcast-notification',
    ];
    for (const n of names) c.emit('message', fixture(n));
    // A last message to mark the end: messages are stored in the order they came, so once it is
    // stored every message before it has been stored or ignored, and nothing more will arrive.
    c.emit('message', fixtureWithId('chat', 'end-marker', { body: 'the end' }));
    await waitFor(() => t.accepted.some((m) => m.text === 'the end'), 30_000, 'the end marker stored');
    expect(t.accepted.pop()?.text).toBe('the end');
    const chat = fixture('chat');
    expect(t.accepted[0]).toEqual({
      channel: 'whatsapp',
      messageId: chat.id._serialized,
      senderId: chat.from,
      kind: 'text',
      text: chat.body,
      sentAt: chat.timestamp * 1000,
      address: { chatId: chat.from },
    });
    expect(t.accepted.map((m) => [m.messageId, m.kind])).toEqual(
      ['chat', 'image', 'voice-note', 'location', 'sticker'].map((n) => [
        fixture(n).id._serialized,
        n === 'chat' ? 'text' : 'media',
      ]),
    );
    // A photo's caption is carried (to be screened); nothing else of a media message is read.
    expect(t.accepted.filter((m) => m.kind === 'media').map((m) => m.text)).toEqual(['look at this', '', '', '']);
    const reasons = logged(t.lines, 'WhatsApp message ignored').map((l) => l.reason);
    expect(reasons).toEqual(['from_me', 'group', 'status', ...Array(8).fill('system')]);
    expect(t.lines.join('\n')).not.toContain('447700900123');
  });

  it('a message the core cannot store (Redis down) is held and retried in order; logs hold counts only', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('ready');
    t.setFailAccept(true);
    c.emit('message', fixtureWithId('chat', 'a', { body: 'first secret' }));
    c.emit('message', fixtureWithId('chat', 'b', { body: 'second secret' }));
    await waitFor(() => logged(t.lines, 'WhatsApp messages still not stored').length >= 2, 5000, 'retries');
    expect(t.accepted).toHaveLength(0);
    t.setFailAccept(false);
    c.emit('message', fixtureWithId('chat', 'c', { body: 'third secret' }));
    await waitFor(() => t.accepted.length === 3, 5000, 'all three stored');
    expect(t.accepted.map((m) => m.text)).toEqual(['first secret', 'second secret', 'third secret']);
    expect(logged(t.lines, 'held WhatsApp messages stored')).toEqual([expect.objectContaining({ stored: 3 })]);
    expect(t.lines.join('\n')).not.toContain('secret');
  });

  it('the retry list is bounded: beyond its size the oldest is dropped and counted', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    t.setFailAccept(true);
    for (const s of ['1', '2', '3', '4', '5']) c.emit('message', fixtureWithId('chat', s, { body: `m${s}` }));
    await waitFor(
      () =>
        logged(t.lines, 'WhatsApp messages could not be stored and the retry list is full; oldest dropped').length ===
        2,
      5000,
      'drops',
    );
    t.setFailAccept(false);
    await waitFor(() => t.accepted.length === 3, 5000, 'the held three');
    expect(t.accepted.map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
  });
});

describe('WhatsApp Web adapter: send', () => {
  it('refuses while not ready (retried by the queue) and rejects an address that is not a chat', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    await expect(
      t.adapter.send({ chatId: '447700900123@c.us' }, { text: 'hi' }, { purpose: 'response' }),
    ).rejects.toBeInstanceOf(PlatformUnavailableError);
    t.client().emit('ready');
    await expect(t.adapter.send({ psid: '1' }, { text: 'hi' }, { purpose: 'response' })).rejects.toBeInstanceOf(
      PlatformRefusedError,
    );
    expect(t.client().sent).toHaveLength(0);
  });

  it('sends text with choices as numbered options', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    t.client().emit('ready');
    await t.adapter.send(
      { chatId: '447700900123@c.us' },
      {
        text: 'What would you like to do?',
        choices: [
          { title: 'Talk to a youth worker', payload: 'MENU_REQUEST' },
          { title: 'Staying safe online', payload: 'MENU_SAFETY' },
        ],
      },
      { purpose: 'response' },
    );
    expect(t.client().sent).toEqual([
      {
        chatId: '447700900123@c.us',
        text: 'What would you like to do?\n\nReply with a number:\n1. Talk to a youth worker\n2. Staying safe online',
      },
    ]);
  });

  it('splits long text on sentence boundaries into parts of at most 4,096 characters, and resumes after a failed part', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('ready');
    const sentence = 'This is one sentence of a long answer about staying safe online. ';
    const text = sentence.repeat(150).trim();
    const to = { chatId: '447700900123@c.us' };
    // The second part fails once: the retry must not send the first again.
    let calls = 0;
    const send = c.sendMessage.bind(c);
    c.sendMessage = async (chatId, content) => {
      if (++calls === 2) throw new Error('Evaluation failed: page closed');
      return send(chatId, content);
    };
    await expect(t.adapter.send(to, { text }, { purpose: 'response' })).rejects.toBeInstanceOf(
      PlatformUnavailableError,
    );
    await t.adapter.send(to, { text }, { purpose: 'response' });
    const parts = c.sent.map((s) => s.text);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.every((p) => p.endsWith('online.'))).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });

  it('a send error from WhatsApp Web is retryable (PlatformUnavailableError)', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    const c = t.client();
    c.emit('ready');
    c.sendError = new Error('Protocol error: Target closed');
    const err = await t.adapter
      .send({ chatId: '447700900123@c.us' }, { text: 'hi' }, { purpose: 'response' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformUnavailableError);
    expect((err as PlatformUnavailableError).code).toBe('PLATFORM_UNAVAILABLE');
  });
});

describe('WhatsApp Web adapter: one process drives the session', () => {
  it('a second adapter on the same prefix stands by, and takes over when the first stops', async () => {
    const a = make();
    const b = make();
    await a.adapter.start(a.ctx);
    await b.adapter.start(b.ctx);
    expect(a.factory.clients).toHaveLength(1);
    expect(b.factory.clients).toHaveLength(0);
    expect(b.adapter.status()).toMatchObject({
      state: 'standby',
      detail: 'another Haven process drives the WhatsApp session',
    });
    expect(logged(b.lines, 'another Haven process drives the WhatsApp session; this one is standing by')).toHaveLength(
      1,
    );
    const owner = await redis.get(lockKey);
    // The first keeps renewing while it runs: its owner's compare-and-pexpire succeeds, again and again.
    const evalOnce = redis.eval.bind(redis);
    let renewed = 0;
    const spy = jest.spyOn(redis, 'eval').mockImplementation((async (...args: Parameters<typeof evalOnce>) => {
      const result = await evalOnce(...args);
      if (/pexpire/.test(String(args[0])) && args[3] === owner && result === 1) renewed++;
      return result;
    }) as typeof evalOnce);
    try {
      await waitFor(() => renewed >= 2, 30_000, 'the lease to be renewed twice');
    } finally {
      spy.mockRestore();
    }
    expect(await redis.get(lockKey)).toBe(owner);
    expect(b.factory.clients).toHaveLength(0);

    await a.adapter.stop();
    expect(a.client().destroyCalls).toBe(1);
    expect(a.adapter.status().state).toBe('stopped');
    await waitFor(() => b.factory.clients.length === 1, 5000, 'the second to take over');
    expect(b.client().initializeCalls).toBe(1);
    const next = await redis.get(lockKey);
    expect(next).not.toBeNull();
    expect(next).not.toBe(owner);
    // Standing by was logged once, not on every retry.
    expect(logged(b.lines, 'another Haven process drives the WhatsApp session; this one is standing by')).toHaveLength(
      1,
    );
  });

  it('a process that loses its lease closes its client and stands by', async () => {
    const t = make();
    await t.adapter.start(t.ctx);
    t.client().emit('ready');
    await redis.set(lockKey, 'another-process', 'PX', 60_000);
    await waitFor(() => t.adapter.status().state === 'standby', 5000, 'standby after losing the lock');
    expect(t.client().destroyCalls).toBe(1);
    await expect(
      t.adapter.send({ chatId: '447700900123@c.us' }, { text: 'hi' }, { purpose: 'response' }),
    ).rejects.toBeInstanceOf(PlatformUnavailableError);
    // Its stop() must not release another process's lease.
    await t.adapter.stop();
    expect(await redis.get(lockKey)).toBe('another-process');
  });
});

// The real whatsapp-web.js Client and a real Chromium, as far as this machine allows: with no route
// to web.whatsapp.com the channel must end up down with the reason (and keep retrying); with one,
// it must reach the QR stage. Skipped where no Chromium is installed.
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
(existsSync(CHROMIUM) ? describe : describe.skip)('WhatsApp Web adapter with the real library and Chromium', () => {
  it('launches Chromium through whatsapp-web.js and reports what happened; stop() closes the browser', async () => {
    const { logger } = captureLogger('debug');
    const printed: string[] = [];
    const authPath = `/tmp/haven-wwebjs-real-${randomBytes(3).toString('hex')}`;
    const adapter = createWhatsAppWebAdapter(
      { authPath, executablePath: CHROMIUM },
      { redis, keys, log: logger, print: (t) => printed.push(t), timing: { ...TIMING, reconnectBaseMs: 60_000 } },
    );
    running.push(adapter);
    await adapter.start({ accept: async () => ({ outcome: 'duplicate' }) });
    const s = await waitFor(
      () => (['down', 'needs_pairing'].includes(adapter.status().state) ? adapter.status() : null),
      60_000,
      'WhatsApp Web to fail or ask for pairing',
    );
    if (s.state === 'down') expect(s.detail).toMatch(/^WhatsApp Web failed to start: .*(web\.whatsapp\.com|net::)/);
    else expect(s.pairing?.qr).toMatch(/^2@/);
    await adapter.stop();
    expect(adapter.status().state).toBe('stopped');
    rmSync(authPath, { recursive: true, force: true });
  }, 90_000);
});
