import { startTestHaven } from '../support/haven';

describe('an https PUBLIC_URL (behind a TLS proxy, no TRUST_PROXY)', () => {
  it('makes staff cookies Secure and sends HSTS on every answer', async () => {
    const haven = await startTestHaven('https-site', { PUBLIC_URL: 'https://haven.example.org' });
    try {
      const login = await fetch(`${haven.url}/staff/login`);
      const cookies = login.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const c of cookies) expect(c).toMatch(/;\s*Secure/i);
      expect(login.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
      expect((await fetch(`${haven.url}/healthz`)).headers.get('strict-transport-security')).toBeTruthy();
    } finally {
      await haven.shutdown();
    }
  });

  it('leaves both off for a plain http PUBLIC_URL', async () => {
    const haven = await startTestHaven('http-site', { PUBLIC_URL: 'http://localhost:3000' });
    try {
      const login = await fetch(`${haven.url}/staff/login`);
      for (const c of login.headers.getSetCookie()) expect(c).not.toMatch(/;\s*Secure/i);
      expect(login.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await haven.shutdown();
    }
  });
});
