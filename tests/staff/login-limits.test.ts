import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { LoginLimiter } from '../../src/staff/limiter';
import { SESSION_COOKIE } from '../../src/staff/auth';
import { cleanupPrefix, REDIS_URL, startTestHaven, uniquePrefix } from '../support/haven';
import { makeStaff, StaffClient } from './client';

describe('staff sign-in limits: only failed passwords count, as a growing delay', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('login-limits', { TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  async function signInFrom(c: StaffClient, ip: string, email: string, password: string) {
    const at = { 'x-forwarded-for': ip };
    const page = await (await c.get('/staff/login', at)).text();
    const pre = /name="_pre" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return c.post('/staff/login', { email, password, _pre: pre }, at);
  }

  it('never counts a sign-in that succeeded', async () => {
    const { email, password } = await makeStaff(haven, 'worker');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await signInFrom(new StaffClient(haven.url), '198.51.100.1', email, password)).status);
    expect(statuses.every((s) => s === 303)).toBe(true);
  });

  it('does not count attempts the address limit refused against the account', async () => {
    const { email, password } = await makeStaff(haven, 'worker');
    const attacker = new StaffClient(haven.url);
    // The attacker's address runs out on other accounts, then keeps trying the victim's.
    for (let i = 0; i < 20; i++) await signInFrom(attacker, '198.51.100.66', `other${i}@example.org`, 'guess');
    for (let i = 0; i < 10; i++) expect((await signInFrom(attacker, '198.51.100.66', email, 'guess')).status).toBe(429);
    // The owner, from their own address, signs in at once.
    const owner = new StaffClient(haven.url);
    expect((await signInFrom(owner, '198.51.100.2', email, password)).status).toBe(303);
    expect(owner.cookies.has(SESSION_COOKIE)).toBe(true);
  });
});

describe('LoginLimiter', () => {
  const prefix = uniquePrefix('limiter');
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  it('makes each failed password past the free ones wait longer, capped, never locked for good', async () => {
    const limiter = new LoginLimiter(redis, new Keys(prefix), {
      perAccount: 3,
      perIp: 1000,
      windowSeconds: 900,
      maxDelaySeconds: 8,
    });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      // The first wait is 1 s: the check is sent with the failure, on the same connection, so Redis
      // runs it straight after (a check a busy machine made a second later would find no wait).
      const [, c] = await Promise.all([
        limiter.fail(`203.0.113.${i}`, 'victim@example.org'),
        limiter.check('192.0.2.9', 'victim@example.org'),
      ]);
      waits.push(c.allowed ? 0 : (c.retryAfterSeconds as number));
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 8, 8]);
    // Another account is untouched; the right password clears the account's failures.
    expect(await limiter.check('192.0.2.9', 'other@example.org')).toEqual({ allowed: true });
    await limiter.succeed('Victim@example.org');
    expect(await limiter.check('192.0.2.9', 'victim@example.org')).toEqual({ allowed: true });
  });
});
