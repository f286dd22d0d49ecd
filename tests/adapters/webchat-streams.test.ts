import { randomUUID } from 'node:crypto';
import { startTestHaven, waitFor } from '../support/haven';

describe('web chat reply streams are capped per address and in all', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const open: AbortController[] = [];
  beforeAll(async () => {
    haven = await startTestHaven('webchat-streams', {
      TRUST_PROXY: '127.0.0.1',
      WEBCHAT_STREAMS_PER_ADDRESS: '2',
      WEBCHAT_STREAMS_TOTAL: '3',
    });
  });
  afterAll(async () => {
    for (const c of open) c.abort();
    await haven?.shutdown();
  });

  /** Opens a stream from `ip`; returns its status (and keeps a 200 open). */
  async function stream(ip: string): Promise<{ status: number; close: () => void }> {
    const c = new AbortController();
    const res = await fetch(`${haven.url}/chat/api/events?clientId=${randomUUID()}`, {
      headers: { 'x-forwarded-for': ip },
      signal: c.signal,
    });
    if (res.status === 200) open.push(c);
    else await res.body?.cancel();
    return { status: res.status, close: () => c.abort() };
  }

  it('refuses a third from one address and a fourth in all; a closed one frees its place', async () => {
    const a1 = await stream('203.0.113.1');
    expect(a1.status).toBe(200);
    expect((await stream('203.0.113.1')).status).toBe(200);
    expect((await stream('203.0.113.1')).status).toBe(429);
    expect((await stream('203.0.113.2')).status).toBe(200);
    expect((await stream('203.0.113.3')).status).toBe(429);
    // Messages (and every webhook) still go through while the streams are full.
    const msg = await fetch(`${haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.3' },
      body: JSON.stringify({ clientId: randomUUID(), id: randomUUID(), text: 'hello' }),
    });
    expect(msg.status).toBe(202);
    a1.close();
    await waitFor(
      async () => {
        const s = await stream('203.0.113.3');
        return s.status === 200;
      },
      5000,
      'a place freed by the closed stream',
    );
  });
});
