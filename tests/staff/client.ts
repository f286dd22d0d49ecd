import type { Haven } from '../../src/main';
import { StaffAccounts, type StaffRole } from '../../src/staff/accounts';

/** A browser-less member of staff: a cookie jar over fetch, no redirects followed. */
export class StaffClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: this.cookieHeader } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, eq);
      const value = (pair as string).slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>) {
    return this.request('POST', path, form, headers);
  }

  /** Signs in through the real form; returns the POST's response. */
  async signIn(email: string, password: string) {
    const page = await (await this.get('/staff/login')).text();
    const pre = /name="_pre" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return this.post('/staff/login', { email, password, _pre: pre, next: '' });
  }

  /** The session's form token, read from a page. */
  async csrf(path = '/staff'): Promise<string> {
    let res = await this.get(path);
    if (res.status === 303) res = await this.get(res.headers.get('location') as string);
    const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
    if (!token) throw new Error(`no form token on ${path} (status ${res.status})`);
    return token;
  }
}

/** Creates an account through the service and sets its password through the one-time link. */
export async function makeStaff(
  haven: Haven,
  role: StaffRole,
  password = 'correct horse battery staple',
): Promise<{ email: string; password: string; client: StaffClient }> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.org`;
  const { token } = await new StaffAccounts(haven.redis, haven.keys).add({ email, name: `Test ${role}`, role });
  const client = new StaffClient(haven.url);
  const page = await (await client.get(`/staff/setup/${token}`)).text();
  const pre = /name="_pre" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const res = await client.post(`/staff/setup/${token}`, { password, confirm: password, _pre: pre });
  if (res.status !== 303) throw new Error(`setup failed: ${res.status}`);
  return { email, password, client };
}
