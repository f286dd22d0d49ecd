import { randomBytes } from 'node:crypto';
import error551 from '../fixtures/messenger/error-551.json';
import { startStub, startTestHaven, waitFor, type StubRequest, type StubServer } from '../support/haven';
import { messengerText, postSignedMessenger } from '../support/messenger';
import { makeStaff, type StaffClient } from '../staff/client';

/**
 * The inbox through Messenger, against a loopback Graph API stand-in with real webhook signatures:
 * a worry reaches the inbox; a coordinator's reply goes as RESPONSE within 24 hours, with the
 * HUMAN_AGENT tag between 24 hours and 7 days, and is refused in the dashboard (with the reason)
 * after 7 days; a message Graph refuses shows as not delivered in the thread.
 */
const SECRET = 'inbox-messenger-app-secret';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let graph: StubServer;
let refuse = false;

beforeAll(async () => {
  graph = await startStub();
  graph.respond((req, res) => {
    if (refuse && (req.json as Json | undefined)?.message) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error551));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ recipient_id: (req.json as Json | undefined)?.recipient?.id, message_id: 'm_1' }));
  });
  haven = await startTestHaven('inbox-messenger', {
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'verify-token',
    MESSENGER_PAGE_ACCESS_TOKEN: 'page-token',
    MESSENGER_API_URL: `${graph.url}/v21.0`,
    OFFICE_HOURS: 'Mon-Sun 00:00-24:00',
  });
});
afterAll(async () => {
  await haven?.shutdown();
  await graph?.close();
});

const psid = `${Date.now()}${randomBytes(2).readUInt16BE()}`;
const sentTo = (): Json[] =>
  graph.requests
    .filter((r: StubRequest) => r.url === '/v21.0/me/messages' && (r.json as Json)?.recipient?.id === psid)
    .map((r) => r.json as Json)
    .filter((j) => j.message);
const says = async (text: string) => {
  const res = await postSignedMessenger(
    haven.url,
    messengerText(psid, `m_${randomBytes(8).toString('hex')}`, text),
    SECRET,
  );
  expect(res.status).toBe(200);
};
const waitSent = (pattern: RegExp) =>
  waitFor(() => sentTo().find((j) => pattern.test(String(j.message.text))), 10_000, `a message matching ${pattern}`);

it('staff reply as RESPONSE within 24 h, HUMAN_AGENT to 7 days, refused after 7 days; a Graph refusal shows in the thread', async () => {
  const conversationId = haven.vault.conversationId('messenger', psid);
  await says('hi');
  await waitSent(/I'm Haven/);
  await says('im worried');
  await waitSent(/pass it to our youth workers/);
  await says('my mum is really tired and i do all the cooking, can someone help');
  await waitSent(/passed that to our youth workers/);
  const conv = await waitFor(() => haven.conversations.current(conversationId), 5000, 'the conversation');

  const { client } = await makeStaff(haven, 'coordinator');
  const path = `/staff/conversations/${conv.id}`;
  const reply = async (text: string) => {
    const csrf = await (client as StaffClient).csrf(path);
    return client.post(`${path}/reply`, { _csrf: csrf, text });
  };
  const pageText = async () => (await client.get(path)).text();

  // Inside 24 hours: a standard response.
  expect(await pageText()).toContain('data-window="response"');
  expect((await reply('Hi, thanks for telling us. Are you safe right now?')).status).toBe(303);
  const first = await waitSent(/Are you safe right now\?/);
  expect(first).toMatchObject({ messaging_type: 'RESPONSE' });
  expect(first.tag).toBeUndefined();
  expect(first.message.text).toBe(
    'Test coordinator (youth worker):\nHi, thanks for telling us. Are you safe right now?',
  );
  expect(await waitSent(/You're now talking to Test coordinator/)).toMatchObject({ messaging_type: 'RESPONSE' });

  // Between 24 hours and 7 days: the HUMAN_AGENT tag.
  await haven.redis.set(haven.keys.lastInbound(conversationId), String(Date.now() - 30 * 3600_000));
  expect(await pageText()).toContain('data-window="human_agent"');
  expect((await reply('Checking in: how are things today?')).status).toBe(303);
  expect(await waitSent(/how are things today\?/)).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

  // After 7 days: refused in the dashboard, with the reason, and nothing goes to Graph.
  await haven.redis.set(haven.keys.lastInbound(conversationId), String(Date.now() - 8 * 24 * 3600_000));
  const before = sentTo().length;
  const shown = await pageText();
  expect(shown).toContain('data-window="closed"');
  expect(shown).toMatch(/they last wrote more than 7 days ago/);
  const refused = await reply('Are you still there?');
  expect(refused.status).toBe(409);
  expect(await refused.text()).toMatch(
    /Not sent or done: Messenger won(&#39;|')t take a message: they last wrote more than 7 days ago\. [^<]*another way\.</,
  );
  expect(sentTo().length).toBe(before);
  expect((await haven.conversations.thread(conv.id)).some((e) => e.text === 'Are you still there?')).toBe(false);

  // Graph refuses a message: the line shows as not delivered.
  await haven.redis.set(haven.keys.lastInbound(conversationId), String(Date.now() - 3600_000));
  refuse = true;
  expect((await reply('Can you see this one?')).status).toBe(303);
  const line = await waitFor(
    async () =>
      (await haven.conversations.thread(conv.id)).find(
        (e) => e.text === 'Can you see this one?' && e.delivery === 'not_delivered',
      ),
    10_000,
    'the refused line marked',
  );
  expect(line.reason).toMatch(/messenger refused it/);
  refuse = false;
  expect(await pageText()).toMatch(/data-delivery="not_delivered"/);
});
