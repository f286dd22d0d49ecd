import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import fetch from 'node-fetch';
import pino from 'pino';
import {
  checkHandshake,
  classifyGraphError,
  parseRetryAfter,
  postGraph,
  registerMetaWebhook,
  safeEqual,
  signBody,
  splitText,
  verifySignature,
  type WebhookVerdict,
} from '../../src/adapters/meta';
import { MESSENGER_CODES } from '../../src/adapters/messenger';
import { WHATSAPP_CLOUD_CODES } from '../../src/adapters/whatsapp-cloud';
import { PlatformRefusedError, PlatformUnavailableError } from '../../src/common/errors';
import error551 from '../fixtures/messenger/error-551.json';
import error613 from '../fixtures/messenger/error-613.json';
import error2018001 from '../fixtures/messenger/error-2018001.json';
import error131047 from '../fixtures/whatsapp-cloud/error-131047.json';
import error130429 from '../fixtures/whatsapp-cloud/error-130429.json';

const SECRET = 'app-secret-for-tests';

describe('Meta webhook signature', () => {
  const body = Buffer.from('{"object":"page","entry":[]}');

  it('accepts the HMAC-SHA256 of the raw body and nothing else', () => {
    expect(verifySignature(body, signBody(body, SECRET), SECRET)).toBe(true);
    expect(verifySignature(body, signBody(body, 'other-secret'), SECRET)).toBe(false);
    expect(verifySignature(Buffer.from(`${body} `), signBody(body, SECRET), SECRET)).toBe(false);
    expect(verifySignature(body, undefined, SECRET)).toBe(false);
    expect(verifySignature(body, 'sha1=abc', SECRET)).toBe(false);
    expect(verifySignature(body, `${signBody(body, SECRET)}00`, SECRET)).toBe(false);
    expect(verifySignature(body, [signBody(body, SECRET)], SECRET)).toBe(false);
  });

  it('compares strings of different lengths without throwing', () => {
    expect(safeEqual('token', 'token')).toBe(true);
    expect(safeEqual('token', 'token-longer')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});

describe('Meta verification handshake', () => {
  it('echoes the challenge only for subscribe with the right token', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'right', 'hub.challenge': '1158201444' };
    expect(checkHandshake(q, 'right')).toEqual({ ok: true, challenge: '1158201444' });
    expect(checkHandshake({ ...q, 'hub.verify_token': 'wrong' }, 'right')).toEqual({ ok: false });
    expect(checkHandshake({ ...q, 'hub.mode': 'unsubscribe' }, 'right')).toEqual({ ok: false });
    expect(checkHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'right' }, 'right')).toEqual({ ok: false });
    expect(checkHandshake(undefined, 'right')).toEqual({ ok: false });
  });
});

describe('registerMetaWebhook on a Fastify app', () => {
  let app: FastifyInstance;
  const seen: unknown[] = [];
  let verdict: () => Promise<WebhookVerdict> = async () => ({ ok: true });
  let base = '';
  /** A real HTTP request (Fastify's inject needs an ESM-only module jest cannot load here). */
  const inject = async (o: { method?: string; url: string; payload?: string; headers?: Record<string, string> }) => {
    const res = await fetch(`${base}${o.url}`, { method: o.method ?? 'GET', body: o.payload, headers: o.headers });
    const body = await res.text();
    return { statusCode: res.status, body, json: () => JSON.parse(body) as unknown };
  };

  beforeAll(async () => {
    app = Fastify();
    registerMetaWebhook(app, {
      path: '/hook',
      appSecret: SECRET,
      verifyToken: 'vt',
      bodyLimit: 2048,
      log: pino({ level: 'silent' }),
      handle: async (b) => {
        seen.push(b);
        return verdict();
      },
    });
    // A route outside the plugin keeps Fastify's normal JSON parser.
    app.post('/elsewhere', async (req) => ({ got: req.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    seen.length = 0;
    verdict = async () => ({ ok: true });
  });

  const post = (payload: string, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url: '/hook', payload, headers: { 'content-type': 'application/json', ...headers } });

  it('answers the handshake', async () => {
    const ok = await inject({ url: '/hook?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=abc123' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('abc123');
    const bad = await inject({ url: '/hook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=abc123' });
    expect(bad.statusCode).toBe(403);
    expect(bad.body).not.toContain('abc123');
  });

  it('checks the signature over the exact bytes sent (whitespace and key order included)', async () => {
    const raw = '{ "b": 1,\n  "a": "é" }';
    const res = await post(raw, { 'x-hub-signature-256': signBody(raw, SECRET) });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([{ b: 1, a: 'é' }]);
    // The same JSON re-serialised has another signature.
    const res2 = await post(JSON.stringify({ b: 1, a: 'é' }), { 'x-hub-signature-256': signBody(raw, SECRET) });
    expect(res2.statusCode).toBe(403);
  });

  it('403 for a forged or missing signature, before the handler runs', async () => {
    const raw = '{"object":"page","entry":[]}';
    expect((await post(raw, { 'x-hub-signature-256': signBody(raw, 'forged') })).statusCode).toBe(403);
    expect((await post(raw)).statusCode).toBe(403);
    expect(seen).toHaveLength(0);
  });

  it('400 for signed bytes that are not JSON, or a body the handler rejects', async () => {
    const broken = '{"object":"page",';
    expect((await post(broken, { 'x-hub-signature-256': signBody(broken, SECRET) })).statusCode).toBe(400);
    verdict = async () => ({ ok: false, error: 'not ours' });
    const raw = '{"object":"user"}';
    const res = await post(raw, { 'x-hub-signature-256': signBody(raw, SECRET) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'not ours' });
  });

  it('503 when the handler could not store the events', async () => {
    verdict = async () => {
      throw new Error('redis down');
    };
    const raw = '{"object":"page","entry":[]}';
    const res = await post(raw, { 'x-hub-signature-256': signBody(raw, SECRET) });
    expect(res.statusCode).toBe(503);
  });

  it('refuses a body over the limit', async () => {
    const raw = JSON.stringify({ pad: 'x'.repeat(4096) });
    const res = await post(raw, { 'x-hub-signature-256': signBody(raw, SECRET) });
    expect(res.statusCode).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it('leaves the JSON parser of other routes alone', async () => {
    const res = await inject({
      method: 'POST',
      url: '/elsewhere',
      payload: '{"x":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.json()).toEqual({ got: { x: 1 } });
  });
});

describe('splitText', () => {
  it('leaves short text whole', () => {
    expect(splitText('  Hello there.  ', 2000)).toEqual(['Hello there.']);
  });

  it('splits on sentence ends, every part within the limit, nothing lost', () => {
    const sentences = Array.from({ length: 120 }, (_, i) => `This is sentence number ${i + 1} of the reply.`);
    const text = sentences.join(' ');
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p).toMatch(/reply\.$/);
    }
    expect(parts.join(' ')).toBe(text);
  });

  it('falls back to words, then characters, and never splits a surrogate pair', () => {
    const words = 'word '.repeat(1000).trim();
    for (const p of splitText(words, 2000)) expect(p).toMatch(/^word( word)*$/);
    const emoji = '😀'.repeat(1500);
    const parts = splitText(emoji, 2001);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2001);
  });

  it('fits the last part within lastMax and keeps the rest whole', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i} is here.`).join(' ');
    const parts = splitText(text, 4096, 100);
    expect(parts).toHaveLength(2);
    expect((parts[1] as string).length).toBeLessThanOrEqual(100);
    expect(parts.join(' ')).toBe(text);
  });
});

describe('Graph API error classification', () => {
  it('rate limits are retried after Retry-After, or after a minute', () => {
    const e = classifyGraphError(400, error613, null, MESSENGER_CODES, 'Messenger');
    expect(e).toBeInstanceOf(PlatformRefusedError);
    expect((e as PlatformRefusedError).details).toMatchObject({ platformCode: 613, retryAfterMs: 60_000 });
    const e429 = classifyGraphError(429, {}, '7', MESSENGER_CODES, 'Messenger') as PlatformRefusedError;
    expect(e429.details.retryAfterMs).toBe(7000);
    for (const code of [4, 17, 32]) {
      const r = classifyGraphError(400, { error: { code } }, null, MESSENGER_CODES, 'Messenger');
      expect((r as PlatformRefusedError).details.retryAfterMs).toBe(60_000);
    }
    const wa = classifyGraphError(400, error130429, null, WHATSAPP_CLOUD_CODES, 'WhatsApp') as PlatformRefusedError;
    expect(wa.details.retryAfterMs).toBe(60_000);
  });

  it('5xx is unavailable (retried with backoff)', () => {
    expect(classifyGraphError(503, undefined, null, MESSENGER_CODES, 'Messenger')).toBeInstanceOf(
      PlatformUnavailableError,
    );
    expect(classifyGraphError(400, { error: { code: 1200 } }, null, MESSENGER_CODES, 'M')).toBeInstanceOf(
      PlatformUnavailableError,
    );
  });

  it('an unreachable person is a permanent refusal without a retry time', () => {
    const bodies = [error551, error2018001, { error: { code: 10 } }, { error: { code: 230 } }];
    for (const body of bodies) {
      const e = classifyGraphError(400, body, null, MESSENGER_CODES, 'Messenger') as PlatformRefusedError;
      expect(e).toBeInstanceOf(PlatformRefusedError);
      expect(e.details.permanent).toBe(true);
      expect(e.details.retryAfterMs).toBeUndefined();
    }
    const wa = classifyGraphError(400, error131047, null, WHATSAPP_CLOUD_CODES, 'WhatsApp') as PlatformRefusedError;
    expect(wa.details).toMatchObject({ platformCode: 131047, permanent: true });
  });

  it("other 4xx are refusals; Meta's own message text is not copied into the error", () => {
    const e = classifyGraphError(
      400,
      { error: { message: 'secret words 6400000000000001', code: 100, fbtrace_id: 'T1' } },
      null,
      MESSENGER_CODES,
      'Messenger',
    ) as PlatformRefusedError;
    expect(e.details.permanent).toBeUndefined();
    expect(e.message).toContain('100');
    expect(e.message).toContain('T1');
    expect(e.message).not.toContain('6400000000000001');
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('postGraph', () => {
  let server: Server;
  let url: string;
  const seen: { url?: string; auth?: string; body: string }[] = [];
  let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '{}' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, auth: req.headers.authorization, body });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the token as a bearer header, never in the URL', async () => {
    answer = { status: 200, body: '{"recipient_id":"1","message_id":"m1"}' };
    const out = await postGraph({
      url: `${url}/me/messages`,
      token: 'PAGE-TOKEN',
      body: { a: 1 },
      codes: MESSENGER_CODES,
      product: 'M',
    });
    expect(out).toEqual({ recipient_id: '1', message_id: 'm1' });
    const last = seen[seen.length - 1];
    expect(last?.auth).toBe('Bearer PAGE-TOKEN');
    expect(last?.url).toBe('/me/messages');
    expect(JSON.parse(last?.body ?? '')).toEqual({ a: 1 });
  });

  it('classifies error answers and network failures, and no error names the token', async () => {
    answer = { status: 400, body: JSON.stringify(error551) };
    await expect(
      postGraph({ url: `${url}/me/messages`, token: 'PAGE-TOKEN', body: {}, codes: MESSENGER_CODES, product: 'M' }),
    ).rejects.toMatchObject({ name: 'PlatformRefusedError', details: { platformCode: 551, permanent: true } });
    const closed = 'http://127.0.0.1:1/me/messages?x=PAGE-TOKEN';
    const err = await postGraph({
      url: closed,
      token: 'PAGE-TOKEN',
      body: {},
      codes: MESSENGER_CODES,
      product: 'M',
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PlatformUnavailableError);
    expect((err as Error).message).not.toContain('PAGE-TOKEN');
  });
});
