import type { Job } from 'bullmq';
import { GROUP_TASK, type GroupTaskJob } from '../../src/domain/groups';
import { StaffAccounts } from '../../src/staff/accounts';
import { runCli, type CliRun } from '../support/cli';
import { startConversation, type Conversation } from '../support/conversation';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { messengerPerson } from '../support/messenger';

/**
 * Issue 20's journey through the web chat and Messenger (a loopback stand-in for the Graph API):
 * a coordinator creates a group from the CLI (one worker refused, two accepted); members ask
 * what's on, sign up, get the safety talk and expectations, later the link; the last place is
 * filled, a third goes on the waiting list and gets the place when the second cancels; a
 * stranger is told how to join; moving the session tells everyone, even someone who said "stop".
 * "Later" is the delayed jobs on the tasks queue, promoted: no test waits on the clock.
 */
const SECRET = 'groups-messenger-secret';
const LINK = 'https://zoom.us/j/98765432100?pwd=group';
const SETTINGS = {
  REMINDER_OFFSETS_MINUTES: '120,20',
  GROUP_LINK_MINUTES_BEFORE: '30',
  CHARITY_NAME: 'Young Carers Together',
};

let graph: StubServer;
let haven: Awaited<ReturnType<typeof startTestHaven>>;

beforeAll(async () => {
  graph = await startStub();
  graph.respond((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"recipient_id":"1","message_id":"m"}'),
  );
  haven = await startTestHaven('groups', {
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'v',
    MESSENGER_PAGE_ACCESS_TOKEN: 'page-token',
    MESSENGER_API_URL: graph.url,
    ...SETTINGS,
  });
});
afterAll(async () => {
  await haven.shutdown();
  await graph.close();
});

/** Runs the real `haven` command against the test's Redis prefix. */
function cli(args: string[]): Promise<CliRun> {
  return runCli(args, haven.prefix, SETTINGS);
}

/** One young person on Messenger, through signed webhooks; replies read at the Graph stand-in. */
function onMessenger() {
  return messengerPerson({ graph, havenUrl: haven.url, appSecret: SECRET, expectMs: 10_000 });
}

/** Taps, on the web chat, the offered choice whose title matches. */
async function tapMatching(chat: Conversation, title: RegExp): Promise<void> {
  const offered = [...chat.replies].reverse().find((r) => r.choices?.length)?.choices ?? [];
  const choice = offered.find((c) => title.test(c.title));
  if (!choice) throw new Error(`no choice ${title} in ${offered.map((c) => c.title).join(', ')}`);
  await chat.sendPayload(choice.payload, choice.title);
}

async function groupJobs(): Promise<Job<GroupTaskJob>[]> {
  return ((await haven.queues.tasks.getDelayed()) as Job<GroupTaskJob>[]).filter((j) => j.name === GROUP_TASK);
}

it('from the CLI to the link: sign-ups, a full session, the waiting list, a cancellation, a move', async () => {
  // ----- staff and the session -----
  const accounts = new StaffAccounts(haven.redis, haven.keys);
  await accounts.add({ email: 'terry@example.org', name: 'Terry', role: 'worker' });
  await accounts.add({ email: 'ana@example.org', name: 'Ana', role: 'coordinator' });
  const at = new Date(Date.now() + 3 * 3600_000);
  const add = (workers: string) => [
    'groups',
    'add',
    '--title',
    'Carers chat',
    '--at',
    at.toISOString(),
    '--minutes',
    '60',
    '--link',
    LINK,
    '--capacity',
    '2',
    '--workers',
    workers,
    '--description',
    'A relaxed chat with other young carers.',
  ];
  const refused = await cli(add('terry@example.org'));
  expect(refused.code).toBe(1);
  const error = JSON.parse(refused.stdout.trim()) as { error: string };
  expect(error.error).toMatch(/at least 2 youth workers/);
  expect(error.error).toMatch(/no young person is ever alone online with one adult/);
  expect(await haven.groups.listAll()).toHaveLength(0);

  const created = await cli(add('terry@example.org,ana@example.org'));
  expect([created.code, created.stderr]).toEqual([0, '']);
  const { groupId } = JSON.parse(created.stdout.trim()) as { groupId: string };
  const listed = await cli(['groups', 'list']);
  const line = JSON.parse(listed.stdout.trim()) as Record<string, unknown>;
  expect(line).toMatchObject({ groupId, title: 'Carers chat', capacity: 2, booked: 0, firstSession: true });
  expect(line.workers).toEqual([
    { name: 'Terry', email: 'terry@example.org' },
    { name: 'Ana', email: 'ana@example.org' },
  ]);
  // The reminder 2 hours before and the link 30 minutes before (the 20-minute reminder is the link).
  expect((await groupJobs()).map((j) => [j.data.kind, j.data.offsetMinutes]).sort()).toEqual([
    ['link', 30],
    ['reminder', 120],
  ]);

  // ----- a stranger -----
  const stranger = await startConversation(haven);
  await stranger.send("what's on");
  const toldToJoin = await stranger.expectReply(/join/);
  expect(toldToJoin.text).toMatch(/consent form/);
  expect(toldToJoin.text).not.toContain('Carers chat');

  // ----- the first member, on the web chat -----
  const riley = await haven.members.add({ name: 'Riley Smith', consentBy: 'Pat Smith', addedBy: 'test' });
  const a = await startConversation(haven);
  await a.send(`join ${riley.joinCode}`);
  await a.expectReply(/Welcome, Riley/);
  await a.send("what's on");
  const list = await a.expectReply(/groups coming up/);
  expect(list.text).toMatch(/Carers chat/);
  await tapMatching(a, /Carers chat/);
  const details = await a.expectReply(/A relaxed chat/);
  expect(details.text).toMatch(/Led by: Terry and Ana/);
  expect(details.text).toMatch(/Places left: 2/);
  expect(details.text).not.toContain(LINK);
  await a.tap('Sign up');
  const booked = await a.expectReply(/You're booked on Carers chat, Riley/);
  expect(booked.text).toMatch(/ground rules together/);
  expect(booked.text).toMatch(/send you the Zoom link 30 minutes before/);
  const talk = await a.expectReply(/keep you safe online/);
  for (const point of [
    /live/,
    /personal information/,
    /people you don't know/,
    /who is at home/,
    /tell one of the youth workers/,
  ])
    expect(talk.text).toMatch(point);
  for (const rule of [
    /Respect everyone/,
    /stays in the group/,
    /welcome/,
    /gender/,
    /swearing, violence, bullying/,
    /screen recording/,
    /personal space/,
  ])
    expect(talk.text).toMatch(rule);
  // The link is not given days (or hours) ahead.
  expect(a.replies.map((r) => r.text).join('\n')).not.toContain(LINK);

  // ----- the second member, on Messenger: the last place -----
  const sam = await haven.members.add({ name: 'Sam', consentBy: 'Jo', addedBy: 'test' });
  const b = onMessenger();
  await b.say(`join ${sam.joinCode}`);
  await b.expect(/Welcome, Sam/);
  await b.say('groups');
  await b.expect(/groups coming up/);
  await b.tap(/Carers chat/);
  await b.expect(/Places left: 1/);
  await b.tap(/^Sign up$/);
  await b.expect(/You're booked on Carers chat, Sam/);
  await b.expect(/keep you safe online/);

  // ----- the third member, on the web chat: full, so the waiting list -----
  const kai = await haven.members.add({ name: 'Kai', consentBy: 'Lee', addedBy: 'test' });
  const c = await startConversation(haven);
  await c.send(`join ${kai.joinCode}`);
  await c.expectReply(/Welcome, Kai/);
  await c.send('discreet');
  await c.expectReply(/discreet/i);
  await c.send('groups');
  await c.expectReply(/\(full: waiting list\)/);
  await tapMatching(c, /Carers chat/);
  await c.expectReply(/waiting list\?/);
  await c.tap('Join waiting list');
  await c.expectReply(/you're on the waiting list: number 1/);
  expect((await haven.groups.places(groupId)).waiting.map((p) => p.name)).toEqual(['Kai']);

  // ----- Sam cancels: Kai gets the place and is told -----
  await b.say('my groups');
  await b.expect(/Your groups:/);
  await b.tap(/^Cancel: Carers/);
  await b.expect(/Cancel your place on Carers chat\?/);
  await b.say('yes'); // typed, not tapped
  await b.expect(/cancelled your place on Carers chat/);
  const promoted = await c.expectReply(/A place came free on Carers chat, and it's yours/);
  // Discreet mode: a neutral first line naming only the day, and no charity name.
  expect(promoted.text.split('\n')[0]).toMatch(/^Hi(, it's about \w+)?$/);
  expect(promoted.text).not.toMatch(/Young Carers Together/i);
  await c.expectReply(/keep you safe online/);
  const places = await haven.groups.places(groupId);
  expect(places.booked.map((p) => p.name)).toEqual(['Riley', 'Kai']);
  expect(places.waiting).toEqual([]);

  // ----- Riley says stop: reminders and the link are not sent to her, and staff see why -----
  await a.send('stop');
  await a.expectReply(/.+/);
  const reminder = (await groupJobs()).find((j) => j.data.kind === 'reminder')!;
  await reminder.promote();
  await c.expectReply(/Reminder: Carers chat is/, 15_000);
  const link = (await groupJobs()).find((j) => j.data.kind === 'link')!;
  await link.promote();
  const linkMessage = await c.expectReply(/Here's the Zoom link/, 15_000);
  expect(linkMessage.text).toContain(LINK);
  expect(linkMessage.text).toMatch(/don't share it/);
  await waitFor(
    async () => (await haven.groups.places(groupId)).booked.find((p) => p.name === 'Riley')?.notDelivered,
    10_000,
    'the link not sent to Riley recorded on her place',
  );
  expect((await haven.groups.places(groupId)).booked.find((p) => p.name === 'Riley')?.notDelivered).toMatch(/stop/);
  expect(a.replies.map((r) => r.text).join('\n')).not.toContain(LINK);
  // Sam cancelled: he gets no link.
  expect(b.all().join('\n')).not.toContain(LINK);

  // ----- the session moves: everyone on it is told, Riley too (moves always reach them) -----
  const newAt = new Date(at.getTime() + 24 * 3600_000);
  const moved = await cli(['groups', 'move', '--id', groupId, '--at', newAt.toISOString()]);
  expect([moved.code, moved.stderr]).toEqual([0, '']);
  await a.expectReply(/Carers chat has moved to a new time/);
  await c.expectReply(/Carers chat has moved to a new time/);
  // New reminders for the new time; none left for the old one.
  expect((await groupJobs()).every((j) => j.data.at === newAt.getTime())).toBe(true);
  expect(await groupJobs()).toHaveLength(2);
  await waitFor(
    async () => (await haven.queues.outbound.getWaitingCount()) + (await haven.queues.outbound.getActiveCount()) === 0,
    10_000,
    'the outbound queue drained',
  );
  expect(b.all().some((t) => /moved/.test(t))).toBe(false);

  // ----- "my groups" shows the place, and the link only once it is due -----
  await c.send('my groups');
  const mine = await c.expectReply(/Your groups:/);
  expect(mine.text).toMatch(/Booked. I'll send the link 30 minutes before/);
  expect(mine.text).not.toContain(LINK);

  // A stranger on Messenger is told how to join, too.
  const messengerStranger = onMessenger();
  await messengerStranger.say('groups');
  expect((await messengerStranger.expect(/join/)).text).toMatch(/consent form/);
});

it('erasing a member takes them off the list, and their place goes to the next one waiting, who is told', async () => {
  const accounts = new StaffAccounts(haven.redis, haven.keys);
  // The two workers (made by the first test when it ran; made here when this one runs alone).
  for (const [email, name] of [
    ['terry@example.org', 'Terry'],
    ['ana@example.org', 'Ana'],
  ] as const)
    if (!(await accounts.byEmail(email))) await accounts.add({ email, name, role: 'worker' });
  const w = await accounts.list();
  const s = await haven.groups.create(
    {
      title: 'Art club',
      description: '',
      at: Date.now() + 5 * 3600_000,
      minutes: 45,
      link: LINK,
      capacity: 1,
      workers: w.map((x) => x.email),
    },
    'test',
  );
  const one = await haven.members.add({ name: 'Ola', consentBy: 'P', addedBy: 'test' });
  const two = await haven.members.add({ name: 'Zed', consentBy: 'Q', addedBy: 'test' });
  const x = await startConversation(haven);
  await x.send(`join ${one.joinCode}`);
  await x.expectReply(/Welcome/);
  const y = await startConversation(haven);
  await y.send(`join ${two.joinCode}`);
  await y.expectReply(/Welcome/);
  expect(
    (
      await haven.groups.signUp(
        s.id,
        { memberId: one.memberId, name: 'Ola', conversationId: x.conversationId },
        { waitingList: false },
      )
    ).outcome,
  ).toBe('booked');
  expect(
    (
      await haven.groups.signUp(
        s.id,
        { memberId: two.memberId, name: 'Zed', conversationId: y.conversationId },
        { waitingList: false },
      )
    ).outcome,
  ).toBe('full');
  expect(
    (
      await haven.groups.signUp(
        s.id,
        { memberId: two.memberId, name: 'Zed', conversationId: y.conversationId },
        { waitingList: true },
      )
    ).outcome,
  ).toBe('waiting');

  // The privacy notice says how long a group place is kept.
  await x.sendPayload('PRIVACY_MORE', 'more');
  await x.expectReply(/sign up for a group, we keep your place .* until 30 days after it/);
  await x.send('my data');
  await x.expectReply(/place on 1 group session/);
  await x.send('delete my data');
  await x.expectReply(/delete your data\?/);
  await x.tap('Yes, delete it');
  await x.expectReply(/your group places/);
  await y.expectReply(/A place came free on Art club/);
  const places = await haven.groups.places(s.id);
  expect(places.booked.map((p) => p.memberId)).toEqual([two.memberId]);
  expect(await haven.redis.smembers(haven.keys.custom('grpsof', one.memberId))).toEqual([]);
  // Retention: the list expires GROUP_RETENTION_DAYS (default 30) after the session ends.
  const ttl = await haven.redis.pttl(haven.keys.custom('grpplaces', s.id));
  const expected = s.at + 45 * 60_000 + 30 * 24 * 3600_000 - Date.now();
  expect(Math.abs(ttl - expected)).toBeLessThan(60_000);
});
