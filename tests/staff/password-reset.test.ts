import { StaffAccounts } from '../../src/staff/accounts';
import { startTestHaven } from '../support/haven';
import { makeStaff, StaffClient } from './client';

async function setPassword(haven: { url: string }, token: string, password: string) {
  const c = new StaffClient(haven.url);
  const page = await c.get(`/staff/setup/${token}`);
  if (page.status !== 200) return page.status;
  const pre = /name="_pre" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return (await c.post(`/staff/setup/${token}`, { password, confirm: password, _pre: pre })).status;
}

/** True while the client's session works (a signed-out request is sent to the sign-in page). */
async function signedIn(client: StaffClient): Promise<boolean> {
  const res = await client.get('/staff');
  return !(res.headers.get('location') ?? '').startsWith('/staff/login');
}

describe('password resets and session lifetime', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('pw-reset', { STAFF_SESSION_MAX_HOURS: '1' });
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  it('a reset ends existing sessions; an older link stops working when a newer is issued, and a link works once', async () => {
    const { email, client } = await makeStaff(haven, 'worker');
    expect(await signedIn(client)).toBe(true);
    const accounts = new StaffAccounts(haven.redis, haven.keys);
    const id = (await accounts.list()).find((a) => a.email === email)!.id;
    const older = await accounts.issueSetupToken(id);
    const newer = await accounts.issueSetupToken(id);
    expect(await setPassword(haven, older, 'a brand new long password')).toBe(410);
    expect(await setPassword(haven, newer, 'a brand new long password')).toBe(303);
    // The session signed in before the reset is over.
    expect(await signedIn(client)).toBe(false);
    // Used: neither link works again.
    expect(await setPassword(haven, newer, 'another long password here')).toBe(410);
    expect(await setPassword(haven, older, 'another long password here')).toBe(410);
    // The new password signs in.
    const again = new StaffClient(haven.url);
    expect((await again.signIn(email, 'a brand new long password')).status).toBe(303);
  });

  it('a session ends STAFF_SESSION_MAX_HOURS after sign-in however active', async () => {
    const { client } = await makeStaff(haven, 'worker');
    expect(await signedIn(client)).toBe(true);
    // As if two hours passed with the session in use all along: its record says when it began.
    const keys = await haven.redis.keys(`${haven.prefix}:staff:session:*`);
    for (const k of keys) {
      const s = JSON.parse((await haven.redis.get(k)) as string) as { createdAt: number };
      await haven.redis.set(k, JSON.stringify({ ...s, createdAt: s.createdAt - 2 * 3600_000 }), 'KEEPTTL');
    }
    expect(await signedIn(client)).toBe(false);
  });
});
