import { signBody } from '../../src/adapters/meta';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import text from '../fixtures/whatsapp-cloud/text.json';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SECRET = 'wa-cloud-app-secret-for-ids';
const PHONE_ID = '106540352242922';

/** Every value Haven keeps under its prefix, as text (strings, hashes, lists, sets, sorted sets, streams). */
async function everything(haven: Awaited<ReturnType<typeof startTestHaven>>): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await haven.redis.scan(cursor, 'MATCH', `${haven.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      out.push(k);
      const type = await haven.redis.type(k);
      if (type === 'string') out.push((await haven.redis.get(k)) ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await haven.redis.hgetall(k)));
      else if (type === 'list') out.push(...(await haven.redis.lrange(k, 0, -1)));
      else if (type === 'set') out.push(...(await haven.redis.smembers(k)));
      else if (type === 'zset') out.push(...(await haven.redis.zrange(k, '0', '-1')));
      else if (type === 'stream') out.push(JSON.stringify(await haven.redis.xrange(k, '-', '+')));
    }
  } while (cursor !== '0');
  return out;
}

describe('platform message ids are kept only as keyed hashes', () => {
  let graph: StubServer;
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    graph = await startStub();
    hook = await startStub();
    graph.respond((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.out' }] })),
    );
    haven = await startTestHaven('message-ids', {
      WHATSAPP_CLOUD_ACCESS_TOKEN: 'token',
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_ID,
      WHATSAPP_CLOUD_APP_SECRET: SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify',
      WHATSAPP_CLOUD_API_URL: graph.url,
      ALERT_WEBHOOK_URL: hook.url,
    });
  });
  afterAll(async () => {
    await haven?.shutdown();
    await graph?.close();
    await hook?.close();
  });

  it("a WhatsApp Cloud wamid (which holds the sender's number) is in no key, job or record", async () => {
    const phone = '447700912345';
    // A wamid's base64 body carries the number, as Meta's do. Its tail is looked for too: long
    // enough that no hash or random id Haven keeps can hold it by chance (4 characters could).
    const tail = 'FQIAEhggQUJDREVGMDEyMzQ1Njc4OUFCQ0RFRg';
    const wamid = `wamid.HBgM${phone}${tail}==`;
    const sends = async (body: string) => {
      const e = JSON.parse(JSON.stringify(text)) as Json;
      const change = e.entry[0].changes[0].value;
      change.metadata.phone_number_id = PHONE_ID;
      for (const c of change.contacts ?? []) c.wa_id = phone;
      for (const m of change.messages) {
        m.from = phone;
        m.id = `${wamid}${body.length}`;
        m.text.body = body;
      }
      const raw = JSON.stringify(e);
      const res = await fetch(`${haven.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(raw, SECRET) },
        body: raw,
      });
      expect(res.status).toBe(200);
    };
    await sends('hi');
    await sends('i want to kill myself');
    // Both answered, and the alert delivered: every job that held the ids has run.
    await waitFor(() => graph.requests.length >= 2 && hook.requests.length >= 1, 15_000, 'replies and the alert');
    const kept = await everything(haven);
    expect(kept.length).toBeGreaterThan(5);
    const leaks = kept.filter((v) => v.includes(tail) || v.includes(phone));
    expect(leaks).toEqual([]);
  });
});
