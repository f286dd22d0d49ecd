import { randomBytes } from 'node:crypto';
import { makeStaff } from '../staff/client';
import { captureLogger, startTestHaven } from '../support/haven';
import { bfFixture } from './botframework-fixtures';

/** Production settings with real-looking secrets (random, so never a published or weak one). */
export function productionSecrets(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ID_HASH_SECRET: randomBytes(24).toString('base64url'),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('Bot Framework in production', () => {
  it('is off (404) without MicrosoftAppId', async () => {
    const haven = await startTestHaven('bf-prod-off', productionSecrets());
    try {
      expect(haven.adapters.has('botframework')).toBe(false);
      const res = await post(haven.url, bfFixture('emulator-message', { serviceUrl: 'http://127.0.0.1:9' }));
      expect(res.status).toBe(404);
    } finally {
      await haven.shutdown();
    }
  });

  it('opens unauthenticated only with BOTFRAMEWORK_EMULATOR=true, and the Channels page says so loudly', async () => {
    const haven = await startTestHaven('bf-prod-emulator', { ...productionSecrets(), BOTFRAMEWORK_EMULATOR: 'true' });
    try {
      expect(haven.adapters.has('botframework')).toBe(true);
      const { client } = await makeStaff(haven, 'admin');
      const page = await (await client.get('/staff/channels')).text();
      // The card's markup: class "card unsafe" and a data-state attribute (the Channels page lists every channel).
      const card = /<li\s+class="card[^"]*"\s+data-channel="botframework"[\s\S]*?<\/li>/.exec(page)?.[0] ?? '';
      expect(card).toMatch(/class="card unsafe"/);
      expect(card).toContain('data-channel-warning');
      // In staff's words (the adapter's own log line still says UNAUTHENTICATED).
      expect(card).toMatch(/not signed: anyone can send Haven messages as any user/);
      expect(card).not.toMatch(/>\s*Working\s*</);
    } finally {
      await haven.shutdown();
    }
  });

  it('answers an unauthenticated call with a plain 401 and one JSON log line, no stack trace', async () => {
    const { logger, lines } = captureLogger('debug');
    const haven = await startTestHaven(
      'bf-prod-401',
      { ...productionSecrets(), MicrosoftAppId: '2c6b1c43-7a37-4b0e-bd27-6b2a39a9c5e1', MicrosoftAppPassword: 'x' },
      { logger },
    );
    const printed: unknown[] = [];
    const spies = (['error', 'warn', 'log'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args)),
    );
    try {
      for (const auth of [undefined, 'Bearer not-a-jwt', 'Bearer']) {
        const before = lines.length;
        const res = await post(
          haven.url,
          bfFixture('msteams-message', { serviceUrl: 'http://127.0.0.1:9' }),
          auth ? { authorization: auth } : {},
        );
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized' });
        const logged = lines.slice(before).filter((l) => l.includes('Bot Framework'));
        expect(logged).toHaveLength(1);
        expect(() => JSON.parse(logged[0] as string)).not.toThrow();
        expect(logged[0]).not.toMatch(/\\n\s+at |stack/);
      }
      expect(printed).toEqual([]);
    } finally {
      for (const s of spies) s.mockRestore();
      await haven.shutdown();
    }
  });
});

describe('/metrics', () => {
  it('in production: 404 without METRICS_TOKEN; with it, only for the bearer token', async () => {
    const closed = await startTestHaven('metrics-off', productionSecrets());
    try {
      expect((await fetch(`${closed.url}/metrics`)).status).toBe(404);
    } finally {
      await closed.shutdown();
    }
    const token = randomBytes(24).toString('base64url');
    const haven = await startTestHaven('metrics-token', { ...productionSecrets(), METRICS_TOKEN: token });
    try {
      expect((await fetch(`${haven.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${haven.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${haven.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('process_cpu');
    } finally {
      await haven.shutdown();
    }
  });
});
