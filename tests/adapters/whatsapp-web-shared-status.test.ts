import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createWhatsAppWebAdapter, type WhatsAppWebAdapter } from '../../src/adapters/whatsapp-web';
import type { AdapterContext } from '../../src/engine/adapter';
import { Keys } from '../../src/engine/keys';
import { startHaven, type Haven } from '../../src/main';
import { makeStaff } from '../staff/client';
import { cleanupPrefix, REDIS_URL, testConfig, uniquePrefix, waitFor } from '../support/haven';
import { captureLogger, fakeFactory, fixtureWithId, type FakeClient } from './whatsapp-web-fake';

const TIMING = {
  lockTtlMs: 3000,
  lockRenewMs: 100,
  standbyRetryMs: 50,
  reconnectBaseMs: 20,
  reconnectMaxMs: 80,
  acceptRetryBaseMs: 20,
  acceptRetryMaxMs: 100,
  maxHeld: 3,
};
const ctx: AdapterContext = { accept: async () => ({ outcome: 'queued', conversationId: 'whatsapp:x' }) };

/**
 * WhatsApp Web runs on one process (the session lock); the dashboard may be served by any other.
 * The driving process shares its status and pairing QR/code in Redis for as long as its lease.
 */
describe('WhatsApp Web status shared across processes', () => {
  const prefix = `t-wwebjs-shared-${randomBytes(4).toString('hex')}`;
  const keys = new Keys(prefix);
  let redis: Redis;
  const running: WhatsAppWebAdapter[] = [];

  const make = () => {
    const factory = fakeFactory();
    const adapter = createWhatsAppWebAdapter(
      { authPath: '/tmp/haven-wwebjs-test', executablePath: process.execPath },
      {
        redis,
        keys,
        log: captureLogger('warn').logger,
        createClient: (o) => factory.create(o),
        print: () => undefined,
        timing: TIMING,
      },
    );
    running.push(adapter);
    return { adapter, factory };
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    for (const a of running) await a.stop();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  });

  it("a process that never started the channel shows the driving one's state, QR and code, then its end", async () => {
    const driver = make();
    const web = make(); // as on HAVEN_ROLE=web: built, never started
    expect(await web.adapter.sharedStatus()).toMatchObject({ state: 'down', detail: /no Haven worker process/ });

    await driver.adapter.start(ctx);
    const client: FakeClient = await waitFor(() => driver.factory.clients[0], 5000, 'the client');
    const qr = '2@sharedQr0aQ1bR2cS3dT4,Km1Ln2Mo3Np4=,Qr5St6Uv7Wx8=,1';
    client.emit('qr', qr);
    const pairing = await waitFor(
      async () => {
        const s = await web.adapter.sharedStatus();
        return s.state === 'needs_pairing' && s.pairing?.qr === qr ? s : null;
      },
      5000,
      'the QR on the other process',
    );
    // Never enumerable: serialising a status (as /readyz does) does not show the QR.
    expect(JSON.stringify(pairing)).not.toContain(qr);
    expect(web.adapter.status().state).toBe('stopped');

    client.emit('code', 'K7QX2MPL');
    await waitFor(async () => (await web.adapter.sharedStatus()).pairing?.code === 'K7QX2MPL', 5000, 'the code');

    client.emit('authenticated');
    client.emit('ready');
    await waitFor(async () => (await web.adapter.sharedStatus()).state === 'ready', 5000, 'ready');
    expect((await web.adapter.sharedStatus()).pairing).toBeUndefined();

    // Kept alive with the lease: each renewal sets the status's TTL back to a full lease (3,000 ms).
    // Shortened by hand to 1,000 ms, it must come back above 2,000 ms. (Comparing with a first reading
    // could never pass when that reading was taken in the millisecond of a renewal: 3,000 exactly.)
    const statusKey = keys.custom('whatsapp', 'status');
    expect(await redis.pttl(statusKey)).toBeGreaterThan(0);
    expect(await redis.pexpire(statusKey, 1000)).toBe(1);
    await waitFor(async () => (await redis.pttl(statusKey)) > 2000, 5000, 'the status TTL renewed');
    expect((await web.adapter.sharedStatus()).state).toBe('ready');

    // A standby worker shows the driver's state too, not its own "standing by".
    const standby = make();
    await standby.adapter.start(ctx);
    expect(standby.adapter.status().state).toBe('standby');
    expect((await standby.adapter.sharedStatus()).state).toBe('ready');

    await driver.adapter.stop();
    await standby.adapter.stop();
    await waitFor(
      async () => (await web.adapter.sharedStatus()).state === 'down',
      5000,
      'no driving process after both stopped',
    );
  });

  it('ignores a status whose writer no longer holds the session lock (it died and another took over)', async () => {
    const web = make();
    const lockKey = keys.custom('whatsapp', 'lock');
    await redis.set(
      keys.custom('whatsapp', 'status'),
      JSON.stringify({ owner: 'dead-process', state: 'needs_pairing', pairing: { qr: 'stale' } }),
      'PX',
      5000,
    );
    await redis.set(lockKey, 'new-process', 'PX', 5000);
    expect(await web.adapter.sharedStatus()).toMatchObject({ state: 'starting', detail: /another Haven process/ });
    await redis.del(lockKey);
    expect((await web.adapter.sharedStatus()).state).toBe('down');
  });
});

describe("the dashboard on a web process shows the worker process's WhatsApp pairing", () => {
  const prefix = uniquePrefix('wwebjs-roles');
  const factory = fakeFactory();
  let web: Haven;
  let worker: Haven;

  beforeAll(async () => {
    const both = { WHATSAPP_ENABLED: 'true', PUPPETEER_EXECUTABLE_PATH: process.execPath };
    web = await startHaven(testConfig(prefix, { ...both, HAVEN_ROLE: 'web' }), {
      whatsappClientFactory: factory.create,
    });
    worker = await startHaven(testConfig(prefix, { ...both, HAVEN_ROLE: 'worker' }), {
      whatsappClientFactory: factory.create,
    });
  });
  afterAll(async () => {
    await web?.stop();
    await worker?.stop();
    await cleanupPrefix(prefix);
  });

  it('Channels page: QR image and pairing code while pairing, then Working', async () => {
    // Only the worker process made a WhatsApp client.
    const client = await waitFor(() => factory.clients[0], 5000, 'the worker to start WhatsApp Web');
    expect(factory.clients).toHaveLength(1);
    client.emit('qr', '2@rolesQr0aQ1bR2cS3dT4,Km1Ln2Mo3Np4=,Qr5St6Uv7Wx8=,1');
    client.emit('code', 'W4RK3RQR');

    const admin = (await makeStaff(web, 'admin')).client;
    const page = await waitFor(
      async () => {
        const html = await (await admin.get('/staff/channels')).text();
        return /Needs pairing/.test(html) && /W4RK3RQR/.test(html) ? html : null;
      },
      5000,
      'the pairing shown on the web process',
    );
    expect(page).toMatch(/<img[^>]+class="qr"[^>]+src="data:image\/png;base64,/);

    client.emit('authenticated');
    client.emit('ready');
    await waitFor(
      async () => {
        const html = await (await admin.get('/staff/channels')).text();
        const card = /data-channel="whatsapp"[\s\S]*?<\/li>/.exec(html)?.[0] ?? '';
        return /Working/.test(card) && !/class="qr"/.test(card);
      },
      5000,
      'Working on the web process',
    );
  });
});

describe('two worker processes, WhatsApp Web on one: every reply is sent by the one driving it', () => {
  const prefix = uniquePrefix('wwebjs-two-workers');
  const factory = fakeFactory();
  const workers: Haven[] = [];

  beforeAll(async () => {
    const env = { WHATSAPP_ENABLED: 'true', PUPPETEER_EXECUTABLE_PATH: process.execPath, HAVEN_ROLE: 'worker' };
    for (let i = 0; i < 2; i++)
      workers.push(await startHaven(testConfig(prefix, env), { whatsappClientFactory: factory.create }));
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await cleanupPrefix(prefix);
  });

  it('replies picked up by the standing-by worker are handed back, none lost or failed', async () => {
    const client = await waitFor(() => factory.clients[0], 5000, 'one worker to start WhatsApp Web');
    client.emit('ready');
    const standing = await waitFor(
      () => workers.find((w) => w.adapters.get('whatsapp')?.status().state === 'standby'),
      5000,
      'the other worker standing by',
    );
    expect(factory.clients).toHaveLength(1);
    const n = 20;
    for (let i = 0; i < n; i++)
      client.emit('message', fixtureWithId('chat', `-two-${i}`, { from: `4477009${String(i).padStart(5, '0')}@c.us` }));
    // A generous guard, not a timing claim: a job the standing-by worker took comes back after a
    // second's delay, possibly several times, and a busy machine stretches each round.
    await waitFor(
      () => new Set(client.sent.map((m) => m.chatId)).size === n,
      120_000,
      `a reply to each of the ${n} chats`,
    );
    const outbound = standing.queues.outbound;
    expect(await outbound.getJobCountByTypes('failed')).toBe(0);
    await waitFor(
      async () => (await outbound.getJobCountByTypes('waiting', 'delayed', 'active')) === 0,
      60_000,
      'the outbound queue empty',
    );
  }, 240_000);
});
