import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { startStub, startTestHaven, type StubServer } from '../support/haven';

/**
 * Hostile input: random and mutated bodies at every webhook and the web chat API. Haven must
 * never answer 500, never crash and never hang; oversized and deeply nested bodies are refused.
 */
const SECRET = 'fuzz-app-secret';
const CLOUD_SECRET = 'fuzz-cloud-secret';
const fixture = (path: string) => readFileSync(join(__dirname, '..', 'fixtures', path), 'utf8');
const sign = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Replaces random leaves of a JSON value with random values. */
function mutate(value: unknown, rnd: () => number, arb: unknown[]): unknown {
  if (Array.isArray(value)) return value.map((v) => mutate(v, rnd, arb));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rnd();
      if (r < 0.1) continue; // drop a field
      out[k] = r < 0.25 ? arb[Math.floor(rnd() * arb.length)] : mutate(v, rnd, arb);
    }
    return out;
  }
  return rnd() < 0.3 ? arb[Math.floor(rnd() * arb.length)] : value;
}

describe('hostile input', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  let graph: StubServer;

  beforeAll(async () => {
    graph = await startStub();
    haven = await startTestHaven('fuzz', {
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_VERIFY_TOKEN: 'v',
      MESSENGER_PAGE_ACCESS_TOKEN: 'p',
      MESSENGER_API_URL: graph.url,
      WHATSAPP_CLOUD_ACCESS_TOKEN: 'a',
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: '123',
      WHATSAPP_CLOUD_APP_SECRET: CLOUD_SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: 'v',
      WHATSAPP_CLOUD_API_URL: graph.url,
      INBOUND_RATE_PER_MINUTE: '100000',
    });
  });
  afterAll(async () => {
    await haven.shutdown();
    await graph.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${haven.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    });

  const targets: { path: string; seed: string; secret?: string }[] = [
    { path: '/webhooks/messenger', seed: fixture('messenger/batch.json'), secret: SECRET },
    { path: '/webhooks/whatsapp', seed: fixture('whatsapp-cloud/text.json'), secret: CLOUD_SECRET },
    { path: '/api/messages', seed: fixture('botframework/emulator-message.json') },
    { path: '/chat/api/messages', seed: JSON.stringify({ clientId: 'f'.repeat(24), id: '1', text: 'hi' }) },
  ];

  it.each(targets)('never answers 5xx to mutated bodies at $path', async ({ path, seed, secret }) => {
    const seedValue = JSON.parse(seed) as unknown;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 8 }), fc.integer(), async (arb, seedNum) => {
        let x = seedNum || 1;
        const rnd = () => {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          return x / 0x7fffffff;
        };
        const body = JSON.stringify(mutate(seedValue, rnd, arb));
        const res = await post(path, body, secret ? { 'x-hub-signature-256': sign(body, secret) } : {});
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it.each(targets)('never answers 5xx to random bytes and JSON at $path', async ({ path, secret }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
        ),
        async (body) => {
          const res = await post(path, body, secret ? { 'x-hub-signature-256': sign(body, secret) } : {});
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses oversized bodies early', async () => {
    const big = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    for (const path of ['/webhooks/messenger', '/webhooks/whatsapp', '/api/messages', '/chat/api/messages']) {
      const res = await post(path, big, { 'x-hub-signature-256': sign(big, SECRET) });
      expect(res.status).toBe(413);
    }
  });

  it('refuses deeply nested JSON without crashing', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const path of ['/webhooks/messenger', '/chat/api/messages', '/api/messages']) {
      const res = await post(path, deep, { 'x-hub-signature-256': sign(deep, SECRET) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await fetch(`${haven.url}/healthz`)).status).toBe(200);
  });

  it('refuses deep nesting hidden inside an otherwise valid event, on every route, with 400', async () => {
    // 5,000 levels, spliced in as text where DEEP stands: JSON.stringify itself would overflow the stack.
    const DEEP = '__DEEP__';
    const deepen = (json: string) => json.replace(`"${DEEP}"`, `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`);
    const messenger = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          time: 1,
          messaging: [
            {
              sender: { id: '1' },
              recipient: { id: 'PAGE' },
              timestamp: 1,
              message: { mid: 'm.deep', attachments: [{ type: 'file', payload: DEEP }] },
            },
          ],
        },
      ],
    });
    const activity = JSON.stringify({
      type: 'message',
      id: 'deep',
      text: 'hi',
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:1',
      from: { id: 'u' },
      recipient: { id: 'b' },
      conversation: { id: 'c' },
      channelData: DEEP,
    });
    const chat = JSON.stringify({ clientId: 'deep-nesting-client-0001', id: '1', text: 'hi', extra: DEEP });
    const cases: [string, string][] = [
      ['/webhooks/messenger', messenger],
      ['/webhooks/whatsapp', messenger],
      ['/api/messages', activity],
      ['/chat/api/messages', chat],
    ];
    for (const [path, shallow] of cases) {
      const body = deepen(shallow);
      const secret = path === '/webhooks/whatsapp' ? CLOUD_SECRET : SECRET;
      const res = await post(path, body, { 'x-hub-signature-256': sign(body, secret) });
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.text()).toMatch(/nested deeper than 32/);
    }
  });

  it('still serves after all that', async () => {
    expect((await fetch(`${haven.url}/readyz`)).status).toBe(200);
  });
});
