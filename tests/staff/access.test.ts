import { createHash } from 'node:crypto';
import { startTestHaven } from '../support/haven';
import type { Alert } from '../../src/domain/alerts/store';
import { SESSION_COOKIE } from '../../src/staff/auth';
import { StaffAccounts } from '../../src/staff/accounts';
import { makeStaff, StaffClient } from './client';

let haven: Awaited<ReturnType<typeof startTestHaven>>;
let alert: Alert;

beforeAll(async () => {
  // As behind a reverse proxy on loopback: its X-Forwarded-For is the client's address.
  haven = await startTestHaven('staff-access', { TRUST_PROXY: '127.0.0.1' });
  alert = await haven.alerts.raise({
    screen: { alert: true, category: 'self_harm', severity: 'high', matched: ['cutting'] },
    text: 'i keep <script>alert(1)</script> cutting & hiding it',
    channel: 'webchat',
    conversationId: haven.vault.conversationId('webchat', 'someone-test-1234'),
    receivedAt: Date.now(),
  });
});
afterAll(async () => {
  await haven?.shutdown();
});

const PAGES = [
  '/staff',
  '/staff/alerts',
  '/staff/alerts/export',
  () => `/staff/alerts/${alert.id}`,
  '/staff/channels',
  '/staff/queues',
  '/staff/requests',
  '/staff/members',
];
const APIS = [
  '/staff/api/alerts/events',
  '/staff/fragments/alerts',
  '/staff/queues/api/queues',
  '/staff/api/requests/events',
];
const POSTS = [
  () => `/staff/alerts/${alert.id}/ack`,
  () => `/staff/alerts/${alert.id}/notes`,
  '/staff/logout',
  '/staff/requests/x/claim',
  '/staff/members',
];
const path = (p: string | (() => string)) => (typeof p === 'function' ? p() : p);

describe('signed out', () => {
  it('every page redirects to sign-in, every API and stream answers 401, every post 401', async () => {
    const anon = new StaffClient(haven.url);
    for (const p of PAGES) {
      const res = await anon.get(path(p));
      expect([path(p), res.status]).toEqual([path(p), 303]);
      expect(res.headers.get('location')).toMatch(/^\/staff\/login\?next=/);
    }
    for (const p of APIS) expect([p, (await anon.get(p)).status]).toEqual([p, 401]);
    for (const p of POSTS) expect([path(p), (await anon.post(path(p), { _csrf: 'x' })).status]).toEqual([path(p), 401]);
    expect((await haven.alerts.store.get(alert.id))?.status).toBe('open');
  });

  it('a forged session cookie is ignored', async () => {
    const anon = new StaffClient(haven.url);
    anon.cookies.set(SESSION_COOKIE, 'made-up.value');
    expect((await anon.get('/staff/alerts')).status).toBe(303);
  });
});

describe('roles', () => {
  it('refuses areas a role may not use with 403, and allows the rest', async () => {
    const worker = (await makeStaff(haven, 'worker')).client;
    const lead = (await makeStaff(haven, 'safeguarding-lead')).client;
    const admin = (await makeStaff(haven, 'admin')).client;
    const coord = (await makeStaff(haven, 'coordinator')).client;
    for (const p of [
      '/staff/alerts',
      `/staff/alerts/${alert.id}`,
      '/staff/channels',
      '/staff/queues',
      '/staff/alerts/export',
    ])
      expect([p, (await worker.get(p)).status]).toEqual([p, 403]);
    for (const p of ['/staff/api/alerts/events', '/staff/queues/api/queues'])
      expect([p, (await worker.get(p)).status]).toEqual([p, 403]);
    expect((await worker.post(`/staff/alerts/${alert.id}/ack`, { _csrf: await worker.csrf() })).status).toBe(403);
    expect((await lead.get('/staff/queues')).status).toBe(403);
    expect((await lead.get('/staff/channels')).status).toBe(403);
    expect((await coord.get('/staff/alerts')).status).toBe(403);
    expect((await coord.get('/staff/channels')).status).toBe(200);
    expect((await lead.get('/staff/alerts')).status).toBe(200);
    const board = await admin.get('/staff/queues');
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('<base href="/staff/queues/"');
    const api = await admin.get('/staff/queues/api/queues');
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('alerts');
    expect((await haven.alerts.store.get(alert.id))?.status).toBe('open');
  });

  it("Bull Board's state-changing API refuses a cross-site call", async () => {
    const admin = (await makeStaff(haven, 'admin')).client;
    const res = await admin.request('PUT', '/staff/queues/api/queues/alerts/pause', undefined, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(res.status).toBe(403);
    expect(await haven.queues.alerts.isPaused()).toBe(false);
  });
});

describe('forms and sessions', () => {
  it('refuses a post with a missing or wrong form token, accepts the right one', async () => {
    const lead = (await makeStaff(haven, 'safeguarding-lead')).client;
    const url = `/staff/alerts/${alert.id}/notes`;
    expect((await lead.post(url, { kind: 'note', text: 'no token' })).status).toBe(403);
    expect((await lead.post(url, { kind: 'note', text: 'bad token', _csrf: 'A'.repeat(43) })).status).toBe(403);
    const ok = await lead.post(url, { kind: 'action', text: 'Rang the school DSL', _csrf: await lead.csrf() });
    expect(ok.status).toBe(303);
    const history = await haven.alerts.store.history(alert.id);
    expect(history.map((e) => e.detail)).toContain('Rang the school DSL');
    expect(history.map((e) => e.detail)).not.toContain('no token');
    expect(history.map((e) => e.detail)).not.toContain('bad token');
    expect(history.find((e) => e.event === 'action')?.by).toMatch(/^Test safeguarding-lead </);
  });

  it('a live view refreshing itself does not keep an idle session alive; a page view does', async () => {
    const { client } = await makeStaff(haven, 'safeguarding-lead');
    const raw = decodeURIComponent(client.cookies.get(SESSION_COOKIE) as string);
    const id = raw.slice(0, raw.lastIndexOf('.'));
    const key = haven.keys.custom('staff', 'session', createHash('sha256').update(id).digest('base64url'));
    await haven.redis.expire(key, 100);
    expect((await client.get('/staff/fragments/alerts', { 'x-haven-background': '1' })).status).toBe(200);
    expect(await haven.redis.ttl(key)).toBeLessThanOrEqual(100);
    expect((await client.get('/staff/alerts')).status).toBe(200);
    expect(await haven.redis.ttl(key)).toBeGreaterThan(1000);
  });

  it('gives a new session id at sign-in and the old one stops working; sign-out ends the session', async () => {
    const { email, password, client } = await makeStaff(haven, 'safeguarding-lead');
    const first = client.cookies.get(SESSION_COOKIE);
    expect(first).toBeTruthy();
    expect((await client.get('/staff/alerts')).status).toBe(200);
    // Sign in again while still carrying the old session cookie (as a fixated cookie would be).
    client.cookies.delete(SESSION_COOKIE);
    const form = await (await client.get('/staff/login')).text();
    client.cookies.set(SESSION_COOKIE, first as string);
    const pre = /name="_pre" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const res = await client.post('/staff/login', { email, password, _pre: pre });
    expect(res.status).toBe(303);
    const second = client.cookies.get(SESSION_COOKIE);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    const stale = new StaffClient(haven.url);
    stale.cookies.set(SESSION_COOKIE, first as string);
    expect((await stale.get('/staff/alerts')).status).toBe(303);
    expect(res.headers.getSetCookie().join(';')).toMatch(/HttpOnly/i);
    expect(res.headers.getSetCookie().join(';')).toMatch(/SameSite=Lax/i);

    const csrf = await client.csrf('/staff/alerts');
    expect((await client.post('/staff/logout', { _csrf: csrf })).status).toBe(303);
    const replay = new StaffClient(haven.url);
    replay.cookies.set(SESSION_COOKIE, second as string);
    expect((await replay.get('/staff/alerts')).status).toBe(303);
  });

  it('rate-limits sign-in per account, even with the right password after too many tries', async () => {
    const { email, password } = await makeStaff(haven, 'worker');
    const c = new StaffClient(haven.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.signIn(email, 'wrong password here')).status);
    // The 5th wrong password makes the next try wait only 1 s: the form (its token lasts an hour) is
    // fetched before it, so the next try is a single POST straight after.
    const form = await (await c.get('/staff/login')).text();
    const pre = /name="_pre" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const attempt = (pw: string) => c.post('/staff/login', { email, password: pw, _pre: pre, next: '' });
    statuses.push((await attempt('wrong password here')).status);
    const blocked = await attempt(password);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(c.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('rate-limits sign-in per address across accounts', async () => {
    const c = new StaffClient(haven.url);
    const ip = { 'x-forwarded-for': '203.0.113.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const page = await (await c.get('/staff/login', ip)).text();
      const pre = /name="_pre" value="([^"]+)"/.exec(page)?.[1] ?? '';
      statuses.push(
        (await c.post('/staff/login', { email: `nobody${i}@example.org`, password: 'x', _pre: pre }, ip)).status,
      );
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('refuses sign-in without the sign-in form token', async () => {
    const { email, password } = await makeStaff(haven, 'worker');
    const c = new StaffClient(haven.url);
    expect((await c.post('/staff/login', { email, password })).status).toBe(403);
    expect(c.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('setup links work once; a disabled account cannot sign in', async () => {
    const accounts = new StaffAccounts(haven.redis, haven.keys);
    const { token } = await accounts.add({ email: 'once@example.org', name: 'Once', role: 'worker' });
    const c = new StaffClient(haven.url);
    expect((await c.get(`/staff/setup/${token}`)).status).toBe(200);
    const pre = c.cookies.get('haven_pre')
      ? /name="_pre" value="([^"]+)"/.exec(await (await c.get(`/staff/setup/${token}`)).text())?.[1]
      : '';
    expect(
      (await c.post(`/staff/setup/${token}`, { password: 'short', confirm: 'short', _pre: pre ?? '' })).status,
    ).toBe(400);
    expect(
      (
        await c.post(`/staff/setup/${token}`, {
          password: 'a long enough passphrase',
          confirm: 'a long enough passphrase',
          _pre: pre ?? '',
        })
      ).status,
    ).toBe(303);
    expect((await c.get(`/staff/setup/${token}`)).status).toBe(410);
    const stored = await haven.redis.get(
      haven.keys.custom('staff', 'account', (await accounts.byEmail('once@example.org'))!.id),
    );
    expect(stored).not.toContain('a long enough passphrase');
    expect(stored).toMatch(/"passwordHash":"scrypt\$/);
    await accounts.disable('once@example.org');
    expect((await c.get('/staff/requests')).status).toBe(303);
    expect((await new StaffClient(haven.url).signIn('once@example.org', 'a long enough passphrase')).status).toBe(401);
  });
});

describe('alerts', () => {
  it('escapes what the young person wrote, records every view, exports JSON lines', async () => {
    const lead = (await makeStaff(haven, 'safeguarding-lead')).client;
    const res = await lead.get(`/staff/alerts/${alert.id}`);
    const body = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('someone-test-1234');
    const viewed = (await haven.alerts.store.history(alert.id)).filter((e) => e.event === 'viewed');
    expect(viewed.some((e) => e.by?.startsWith('Test safeguarding-lead') && e.detail === 'full record')).toBe(true);
    const audit = await haven.redis.xrange(haven.keys.custom('staff', 'audit'), '-', '+');
    expect(audit.some(([, f]) => f.includes(alert.id))).toBe(true);

    const exp = await lead.get('/staff/alerts/export');
    expect(exp.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await exp.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; history: unknown[] });
    expect(lines.find((l) => l.id === alert.id)?.history.length).toBeGreaterThan(1);
  });

  it('the signed link: GET only asks, POST with a good signature acknowledges, a bad one is refused', async () => {
    const a = await haven.alerts.raise({
      screen: { alert: true, category: 'suicide', severity: 'urgent', matched: ['kms'] },
      text: 'gonna kms tonight',
      channel: 'webchat',
      conversationId: haven.vault.conversationId('webchat', 'someone-test-5678'),
      receivedAt: Date.now(),
    });
    const link = new URL(haven.alerts.ackUrl(a.id));
    const anon = new StaffClient(haven.url);
    const get = await anon.get(link.pathname + link.search);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('<form method="post"');
    expect((await haven.alerts.store.get(a.id))?.status).toBe('open');
    expect((await anon.get(`${link.pathname}?sig=${'A'.repeat(43)}`)).status).toBe(403);
    expect((await anon.post(link.pathname, { sig: 'A'.repeat(43), name: 'Mallory' })).status).toBe(403);
    expect((await haven.alerts.store.get(a.id))?.status).toBe('open');
    const ok = await anon.post(link.pathname, { sig: link.searchParams.get('sig') as string, name: 'Sam Worker' });
    // Post/redirect/get: back to the link's page, which now says so and offers the note form.
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`${link.pathname}${link.search}&done=ack`);
    const done = await anon.get(ok.headers.get('location') as string);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('It will not escalate');
    const after = await haven.alerts.store.get(a.id);
    expect(after?.status).toBe('acknowledged');
    expect(after?.acknowledgedBy).toBe('Sam Worker (signed link)');
  });
});
