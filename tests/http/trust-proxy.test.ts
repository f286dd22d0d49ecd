import Fastify from 'fastify';
import { loadConfig } from '../../src/config';
import { trustProxyOption } from '../../src/http/trust-proxy';
import { StaffClient } from '../staff/client';
import { startTestHaven } from '../support/haven';

/** What a Fastify server with this TRUST_PROXY takes as the client's address. */
async function clientAddress(setting: string, xff: string): Promise<string> {
  const app = Fastify({ trustProxy: trustProxyOption(loadConfig({ TRUST_PROXY: setting }).TRUST_PROXY) });
  app.get('/ip', async (req) => ({ ip: req.ip }));
  try {
    const res = await app.inject({ url: '/ip', headers: { 'x-forwarded-for': xff } });
    return (res.json() as { ip: string }).ip;
  } finally {
    await app.close();
  }
}

describe('TRUST_PROXY takes the right-most address no trusted proxy added', () => {
  it.each([
    // One proxy appends the address it saw: whatever the client wrote before it is ignored.
    ['true', '6.6.6.6, 203.0.113.9', '203.0.113.9'],
    ['1', '6.6.6.6, 7.7.7.7, 203.0.113.9', '203.0.113.9'],
    // Two proxies: the second appended the first's address.
    ['2', '6.6.6.6, 203.0.113.9, 10.0.0.2', '203.0.113.9'],
    // By address: the proxy on loopback (inject's socket) and one at 10.0.0.2 are trusted.
    ['127.0.0.1,10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.2', '203.0.113.9'],
  ])('TRUST_PROXY=%s, X-Forwarded-For %s → %s', async (setting, xff, want) => {
    expect(await clientAddress(setting, xff)).toBe(want);
  });

  it('so a client behind a proxy cannot dodge the sign-in limit by writing X-Forwarded-For', async () => {
    const haven = await startTestHaven('trust-proxy', { TRUST_PROXY: 'true' });
    try {
      const c = new StaffClient(haven.url);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        // The client writes a new address each time; the proxy appends the one it really saw.
        const at = { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.50` };
        const page = await (await c.get('/staff/login', at)).text();
        const pre = /name="_pre" value="([^"]+)"/.exec(page)?.[1] ?? '';
        statuses.push(
          (await c.post('/staff/login', { email: `n${i}@example.org`, password: 'x', _pre: pre }, at)).status,
        );
      }
      expect(statuses[20]).toBe(429);
    } finally {
      await haven.shutdown();
    }
  });
});
