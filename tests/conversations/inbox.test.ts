import { webchatClientKey } from '../../src/adapters/webchat';
import { MENU } from '../../src/engine/message';
import { StaffAccounts } from '../../src/staff/accounts';
import { startConversation } from '../support/conversation';
import { captureLogger, startTestHaven, waitFor } from '../support/haven';
import { makeStaff } from '../staff/client';

/**
 * The staff inbox through a whole Haven on the web chat: what opens a conversation, what lands in
 * its thread, hand-over (Haven quiet except the safeguarding reply and privacy commands), hand
 * back, erasure. Office hours cover every day, so "they're at work now" is the true answer.
 */
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let staff: { id: string; name: string };
const captured = captureLogger('debug');
/** Every message text a young person sent in this file, none of which may appear in a log line. */
const said: string[] = [];

beforeAll(async () => {
  haven = await startTestHaven('inbox', { OFFICE_HOURS: 'Mon-Sun 00:00-24:00' }, { logger: captured.logger });
  const { account } = await new StaffAccounts(haven.redis, haven.keys).add({
    email: `casey-${Date.now()}@example.org`,
    name: 'Casey',
    role: 'coordinator',
  });
  staff = { id: account.id, name: account.name };
});
afterAll(async () => {
  await haven?.shutdown();
});

/** Starts a web chat whose every message is remembered for the log check. */
async function startChat() {
  const chat = await startConversation(haven);
  const send = chat.send.bind(chat);
  return Object.assign(chat, {
    send: async (text: string) => {
      said.push(text);
      await send(text);
    },
  });
}

async function openFor(conversationId: string) {
  return waitFor(() => haven.conversations.current(conversationId), 5000, 'a conversation in the inbox');
}

/** A member called `name`, joined on the web chat (every message remembered), with a one-to-one request open. */
async function memberWithOpenRequest(name: string) {
  const { memberId, joinCode } = await haven.members.add({ name, consentBy: 'Pat', addedBy: 'test' });
  const chat = await startChat();
  await chat.send(`join ${joinCode}`);
  await chat.expectReply(new RegExp(name));
  await haven.requests.create({
    memberId,
    memberName: name,
    conversationId: chat.conversationId,
    platform: 'zoom',
    when: 'weekends',
    workers: 'no_preference',
  });
  return chat;
}

async function lines(id: string) {
  return (await haven.conversations.thread(id)).map((e) => `${e.from}: ${e.text}`);
}

it('"I\'m worried" opens a conversation; the worry lands in its thread instead of "didn\'t get that"', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.sendPayload(MENU.worried, "I'm worried");
  await chat.expectReply(/pass it to our youth workers\. They're at work now/);
  const worry = 'my mum forgot her tablets again and she is really poorly and i dont know what to do';
  await chat.send(worry);
  const reply = await chat.expectReply(/passed that to our youth workers/);
  expect(reply.text).not.toMatch(/didn't quite get that/);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'worry', channel: 'webchat', status: 'open' });
  expect(conv.name).toMatch(/^Visitor [A-Z0-9]{4}$/);
  expect(await lines(conv.id)).toEqual(expect.arrayContaining([`young_person: I'm worried`, `young_person: ${worry}`]));
  const [row] = (await haven.conversations.list(staff.id)).filter((r) => r.conversation.id === conv.id);
  expect(row).toMatchObject({ unread: 2, overdue: false });
  expect(row!.conversation.waitingSince).toBeDefined();
});

it('low mood the screen let through reaches a youth worker, with where help is now', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  const low = 'im not going to kill myself dont worry, just fed up with everything';
  await chat.send(low);
  const reply = await chat.expectReply(/passed this to our youth workers\. They're at work now/);
  expect(reply.text).toMatch(/call 999/);
  expect(reply.text).not.toMatch(/didn't quite get that/);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'worry', status: 'open' });
  expect(await lines(conv.id)).toEqual(expect.arrayContaining([`young_person: ${low}`]));
  const [row] = (await haven.conversations.list(staff.id)).filter((r) => r.conversation.id === conv.id);
  expect(row!.conversation.waitingSince).toBeDefined();
  // Their next words land in the same thread.
  await chat.send('feeling really low tbh');
  await chat.expectReply(/added that for our youth workers/);
  expect(await lines(conv.id)).toEqual(expect.arrayContaining(['young_person: feeling really low tbh']));
});

it('after the safety tips ("tell a youth worker, message me here"), telling us what upset them reaches a youth worker', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('what do i do if i see extremist stuff on my feed');
  const tips = await chat.expectReply(/tell a youth worker\. You can message me here any time/);
  expect(tips.text).not.toMatch(/didn't quite get that/);
  const upset = 'i saw a video on tiktok that upset me and i cant stop thinking about it';
  await chat.send(upset);
  const reply = await chat.expectReply(/passed that to our youth workers\. They're at work now/);
  expect(reply.text).not.toMatch(/didn't quite get that/);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'worry', status: 'open' });
  expect(await lines(conv.id)).toEqual(expect.arrayContaining([`young_person: ${upset}`]));
  const [row] = (await haven.conversations.list(staff.id)).filter((r) => r.conversation.id === conv.id);
  expect(row!.conversation.waitingSince).toBeDefined();
});

it('"can i talk to a real person" opens a conversation', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('can i talk to a real person');
  await chat.expectReply(/asked our youth workers to read this chat/);
  expect(await openFor(chat.conversationId)).toMatchObject({ topic: 'person' });
});

it('hand-over: Haven goes quiet except the safeguarding reply and privacy; staff reply; hand back', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('can i talk to a real person');
  await chat.expectReply(/asked our youth workers/);
  const conv = await openFor(chat.conversationId);

  await haven.conversations.take(conv.id, staff);
  await chat.expectReply(/You're now talking to Casey, a youth worker/);

  // Haven says nothing to an ordinary message; it goes to the thread for Casey.
  const before = chat.replies.length;
  await chat.send('hi');
  await chat.send('what is online safety');
  await haven.conversations.reply(conv.id, staff, 'Hi, I am here. How are you doing?');
  const fromCasey = await chat.expectReply(/^Casey \(youth worker\):\nHi, I am here/);
  expect(chat.replies.slice(before).map((r) => r.text)).toEqual([fromCasey.text]);
  expect(await lines(conv.id)).toEqual(
    expect.arrayContaining([
      'young_person: hi',
      'young_person: what is online safety',
      'staff: Hi, I am here. How are you doing?',
    ]),
  );

  // A concern during hand-over still raises an alert and gets the helplines.
  await chat.send('i want to kill myself');
  await chat.expectReply(/Childline/);
  const alerts = (await haven.alerts.store.list({ openOnly: true })).filter(
    (a) => a.conversationId === chat.conversationId,
  );
  expect(alerts).toHaveLength(1);
  const thread = await haven.conversations.thread(conv.id);
  expect(thread.some((e) => e.from === 'event' && e.alertId === alerts[0]!.id)).toBe(true);
  // The alert's words stay with the alert, not in the thread.
  expect(thread.some((e) => /kill myself/.test(e.text))).toBe(false);
  expect((await haven.conversations.get(conv.id))!.alertIds).toContain(alerts[0]!.id);

  // Privacy commands still answer.
  await chat.send('privacy');
  await chat.expectReply(/./);

  await haven.conversations.handBack(conv.id, 'Casey');
  await chat.expectReply(/Casey has finished chatting for now, so you're back with me, Haven/);
  await chat.send('hi');
  await chat.expectReply(/I'm Haven/);
  // What the hand-back promised: what Haven can't answer still goes to the youth workers, and
  // "talk to a person" asks for one again.
  await chat.send('purple elephants dance');
  await chat.expectReply(/youth workers/);
  expect(await lines(conv.id)).toContain('young_person: purple elephants dance');
  await chat.send('talk to a person');
  await chat.expectReply(/asked our youth workers to read this chat/);
});

it('with a place in a peer support group, what Haven cannot answer reaches the team (as the safety talk promises)', async () => {
  const accounts = new StaffAccounts(haven.redis, haven.keys);
  const stamp = Date.now();
  const emails = [`lee-${stamp}@example.org`, `mo-${stamp}@example.org`];
  for (const [i, email] of emails.entries()) await accounts.add({ email, name: `Worker${i}`, role: 'worker' });
  const group = await haven.groups.create(
    {
      title: `Carers chat ${stamp}`,
      description: 'A chat.',
      at: Date.now() + 2 * 24 * 3600_000,
      minutes: 60,
      link: 'https://zoom.us/j/1',
      capacity: 5,
      workers: emails,
    },
    'test',
  );
  const { memberId, joinCode } = await haven.members.add({ name: 'Jas', consentBy: 'Pat', addedBy: 'test' });
  const chat = await startChat();
  await chat.send(`join ${joinCode}`);
  await chat.expectReply(/Welcome, Jas/);
  await haven.groups.signUp(
    group.id,
    { memberId, name: 'Jas', conversationId: chat.conversationId },
    { waitingList: false },
  );
  // (Signing up in the chat sends the safety talk; the service alone sends nothing.)
  // Not a concern the screen raises ("...made me feel weird" now does, and is answered as one): what Haven has no
  // answer for.
  const words = 'the group was nice but i was too shy to say anything';
  await chat.send(words);
  await chat.expectReply(/passed that to our youth workers/);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'session' });
  expect(await lines(conv.id)).toContain(`young_person: ${words}`);
});

it('a reply to a staff message sent from a request lands in a thread', async () => {
  const { memberId, joinCode } = await haven.members.add({ name: 'Robin', consentBy: 'Pat', addedBy: 'test' });
  const chat = await startChat();
  await chat.send(`join ${joinCode}`);
  await chat.expectReply(/Robin/);
  const { request } = await haven.requests.create({
    memberId,
    memberName: 'Robin',
    conversationId: chat.conversationId,
    platform: 'whatsapp',
    when: 'after school',
    workers: 'one',
  });
  await haven.requests.message(request.id, 'See you on Tuesday at 4', 'Chris');
  await chat.expectReply(/See you on Tuesday at 4/);
  await waitFor(
    async () => (await haven.redis.exists(haven.keys.custom('conv', 'staffmsg', chat.conversationId))) === 1,
    5000,
    'the staff message noted',
  );
  await chat.send('ok thanks chris, see you then');
  await chat.expectReply(/passed your reply to Chris/);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'staff_reply', name: 'Robin', memberId });
  expect(await lines(conv.id)).toEqual([
    'staff: See you on Tuesday at 4',
    'young_person: ok thanks chris, see you then',
    expect.stringMatching(/^haven: Thanks, I've passed your reply to Chris/),
  ]);
});

it('unknown text during an open request lands in a thread', async () => {
  const chat = await memberWithOpenRequest('Sky');
  await chat.send('my brother keeps taking my charger');
  const reply = await chat.expectReply(/passed that to our youth workers/);
  expect(reply.text).not.toMatch(/didn't quite get/);
  const conv = await openFor(chat.conversationId);
  expect(conv.topic).toBe('request');
  expect(await lines(conv.id)).toContain('young_person: my brother keeps taking my charger');
  // A second message while still waiting is added without repeating the whole answer.
  await chat.send('also my sister');
  await chat.expectReply(/^Thanks, I've added that for our youth workers\.$/);
});

it('a disclosure opens a conversation linked to its alert at once; "what should i do" gets the steps again and reaches the team', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('a man online says he will send my pics to everyone unless i pay him');
  await chat.expectReply(/That took courage[^]*A youth worker will read this[^]*Childline/);
  const [alert] = (await haven.alerts.store.list({ openOnly: true })).filter(
    (a) => a.conversationId === chat.conversationId,
  );
  expect(alert).toBeDefined();
  // The reply promised a youth worker will read it and get in touch: the conversation is in the inbox
  // now, linked to the alert (so the safeguarding lead sees it too) and waiting for a person.
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'alert', alertIds: [alert!.id] });
  expect(conv.waitingSince).toBeDefined();
  expect(await lines(conv.id)).toContain(
    'event: Haven raised a safety alert for a message here and gave them the helplines. The words are kept with the alert.',
  );
  await chat.send('what should i do');
  await chat.expectReply(/^Thanks, I've added that for our youth workers\.$/);
  const again = await chat.expectReply(/Here is what you can do now/);
  expect(again.text).toMatch(/0800 1111/);
  expect(await lines(conv.id)).toContain('young_person: what should i do');
});

it.each([
  [
    'a young carer who cannot cope: the reply says a youth worker can talk with them about help at home',
    'im so tired of looking after mum i cant cope',
    /Looking after someone is a big job[^]*young carer’s assessment[^]*A youth worker will read this/,
  ],
  [
    'a friend hurt at home: the reply is about the friend and says a youth worker will read it',
    'my friend is being hit by her stepdad',
    /Nobody is allowed to hurt your friend[^]*A youth worker will read this/,
  ],
])('%s, and one can', async (_what, message, reply) => {
  const chat = await startChat();
  await chat.send(message);
  await chat.expectReply(reply);
  const conv = await openFor(chat.conversationId);
  expect(conv).toMatchObject({ topic: 'alert' });
  // A youth worker (not only the lead or a coordinator) finds it in the inbox and answers on the web chat.
  const { client } = await makeStaff(haven, 'worker');
  expect(await (await client.get('/staff/conversations')).text()).toContain(`/staff/conversations/${conv.id}`);
  const path = `/staff/conversations/${conv.id}`;
  const csrf = await client.csrf(path);
  const sent = await client.post(`${path}/reply`, { _csrf: csrf, text: 'Hi, I can help with that. Shall we talk?' });
  expect(sent.status).toBe(303);
  await chat.expectReply(/^Test worker \(youth worker\):\nHi, I can help with that/, { skip: true });
});

it('a member with an open request who discloses: the conversation is about the alert, and the lead sees it', async () => {
  const chat = await memberWithOpenRequest('Maisie');
  await chat.send('my step dad hit me again and im scared to go home');
  await chat.expectReply(/That took courage/);
  const conv = await openFor(chat.conversationId);
  expect(conv.topic).toBe('alert');
  expect(conv.alertIds).toHaveLength(1);
  await chat.send('what should i do');
  await chat.expectReply(/^Thanks, I've added that/);
  await chat.expectReply(/Here is what you can do now/);
  // The lead goes from the alert to the conversation and back: each page links the other.
  const { client } = await makeStaff(haven, 'safeguarding-lead');
  const thread = await client.get(`/staff/conversations/${conv.id}`);
  expect(thread.status).toBe(200);
  expect(await thread.text()).toContain(`href="/staff/alerts/${conv.alertIds[0]}"`);
  const alertPage = await (await client.get(`/staff/alerts/${conv.alertIds[0]}`)).text();
  expect(alertPage).toContain(`href="/staff/conversations/${conv.id}"`);
});

it('without anything open, unknown text still gets "didn\'t get that" and opens nothing', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('purple elephants dance');
  await chat.expectReply(/didn't quite get that/, { fallback: true });
  expect(await haven.conversations.current(chat.conversationId)).toBeNull();
});

it('"what do you know about me" covers threads; "delete my data" erases them and the web chat backlog', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.sendPayload(MENU.worried, "I'm worried");
  await chat.expectReply(/I'm glad you reached out/);
  await chat.send('things at home are hard');
  await chat.expectReply(/passed that to our youth workers/);
  const conv = await openFor(chat.conversationId);
  await chat.send('what do you know about me');
  await chat.expectReply(
    /Your messages with our youth workers, and my replies.*30 days after the chat with them ends/s,
  );
  await chat.send('delete my data');
  await chat.expectReply(/your messages with our youth workers/);
  // The backlog holds the replies so far; erasure clears it, then only the "Done" reply is there.
  const backlog = haven.keys.webchatOutbox(webchatClientKey(chat.clientId));
  expect(await haven.redis.llen(backlog)).toBeGreaterThan(3);
  await chat.tap('Yes, delete it');
  await waitFor(
    async () => {
      const left = await haven.redis.lrange(backlog, 0, -1);
      return left.length === 1 && /^Done\./.test((JSON.parse(left[0]!) as { text: string }).text);
    },
    5000,
    'the backlog to hold only the last reply',
  );
  expect(await haven.conversations.get(conv.id)).toBeNull();
  expect(await haven.conversations.thread(conv.id)).toEqual([]);
  expect(await haven.conversations.current(chat.conversationId)).toBeNull();
  expect((await haven.conversations.list(staff.id)).some((r) => r.conversation.id === conv.id)).toBe(false);
});

it('the privacy notice says how long chats with a youth worker are kept', async () => {
  const chat = await startChat();
  await chat.send('hi');
  await chat.expectReply(/Hi, I'm Haven/);
  await chat.send('privacy');
  await chat.expectReply(/Your privacy, in short/);
  await chat.tap('More');
  await chat.expectReply(
    /If you chat with a youth worker here, we keep those messages until 30 days after the chat ends/,
  );
});

it('a safeguarding lead sees only the conversations linked to alerts', async () => {
  const all = await haven.conversations.list(staff.id);
  const linked = all.filter((r) => r.conversation.alertIds.length > 0);
  const other = all.find((r) => r.conversation.alertIds.length === 0)!;
  expect(linked.length).toBeGreaterThan(0);
  const { client } = await makeStaff(haven, 'safeguarding-lead');
  const list = await (await client.get('/staff/conversations')).text();
  for (const r of linked) expect(list).toContain(`data-conversation-id="${r.conversation.id}"`);
  expect(list).not.toContain(`data-conversation-id="${other.conversation.id}"`);
  expect((await client.get(`/staff/conversations/${other.conversation.id}`)).status).toBe(404);
  expect((await client.get(`/staff/conversations/${linked[0]!.conversation.id}`)).status).toBe(200);
});

it('no thread text in the logs', () => {
  const log = captured.lines.join('\n');
  expect(said.length).toBeGreaterThan(10);
  for (const text of said.filter((t) => t.length > 12)) expect(log).not.toContain(text);
});

it('someone who has not joined and asks to talk to someone is offered a person now, and gets one', async () => {
  const chat = await startChat();
  await chat.send('i need to talk to someone');
  const offer = await chat.expectReply(/you need to join first[^]*message a youth worker here now/);
  expect(offer.choices?.map((c) => c.title)).toContain('Talk to a person');
  await chat.tap('Talk to a person');
  await chat.expectReply(/asked our youth workers to read this chat/);
  const conv = await openFor(chat.conversationId);
  expect(conv.topic).toBe('person');
  await chat.send('its about my mum');
  await chat.expectReply(/added that for our youth workers/);
  expect(await lines(conv.id)).toContain('young_person: its about my mum');
  // A youth worker sees it in the inbox.
  expect((await haven.conversations.list(staff.id)).some((r) => r.conversation.id === conv.id)).toBe(true);
});
