import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/common/logger';
import {
  channelWindow,
  ConversationError,
  createConversationService,
  HANDBACK_TASK,
  type ConversationService,
} from '../../src/domain/conversations';
import { Keys } from '../../src/engine/keys';
import type { OutboundJob } from '../../src/engine/message';
import { Outbox } from '../../src/engine/outbox';
import { Queues } from '../../src/engine/queues';
import type { StaffAccount } from '../../src/staff/accounts';
import { conversationList } from '../../src/staff/pages/conversations';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

/**
 * The inbox's rules with a controlled clock against the real Redis: overdue after
 * INBOX_REASSIGN_MINUTES of office hours (and then offered to others), the idle hand-back, the
 * channels' windows, a refused message marked in its thread, retention by TTL.
 */
const prefix = uniquePrefix('inbox-svc');
const keys = new Keys(prefix);
let redis: Redis;
let queues: Queues;
let clock = 0;
let inbox: ConversationService;
const A = { id: 'staff-a', name: 'Alex' };
const B = { id: 'staff-b', name: 'Bo' };
// Monday 7 December 2026, 10:00 in London (GMT).
const MON_10 = Date.UTC(2026, 11, 7, 10, 0);
const MIN = 60_000;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  queues = new Queues(redis, keys);
  inbox = createConversationService({
    redis,
    keys,
    outbox: new Outbox(queues.outbound),
    tasks: queues.tasks,
    log: createLogger({ level: 'silent', pretty: false }),
    charityName: 'Young Carers Together',
    officeHours: 'Mon-Fri 09:00-17:00',
    timezone: 'Europe/London',
    retentionDays: 30,
    reassignMinutes: 30,
    handBackMinutes: 60,
    now: () => clock,
  });
});
afterAll(async () => {
  await queues.close();
  await redis.quit();
  await cleanupPrefix(prefix);
});

async function waitingConversation(at: number) {
  clock = at;
  const c = await inbox.open({ conversationId: `webchat:${at}`, channel: 'webchat', topic: 'worry' });
  await inbox.recordTurn(c.id, { text: 'something is wrong at home', forTeam: true, replies: ['Thank you.'] });
  return c;
}

async function sent(conversationId: string): Promise<string[]> {
  const jobs = (await queues.outbound.getJobs(['waiting', 'delayed', 'completed'])) as Job<OutboundJob>[];
  return jobs
    .filter((j) => j.data.conversationId === conversationId)
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((j) => j.data.message.text);
}

it('a wait past INBOX_REASSIGN_MINUTES of office hours is overdue and offered to others', async () => {
  const c = await waitingConversation(MON_10);
  clock = MON_10 + 5 * MIN;
  await inbox.take(c.id, A);
  clock = MON_10 + 20 * MIN;
  expect(inbox.isOverdue((await inbox.get(c.id))!)).toBe(false);
  await expect(inbox.take(c.id, B)).rejects.toMatchObject({ code: 'HELD' });

  clock = MON_10 + 31 * MIN;
  const [row] = (await inbox.list(B.id)).filter((r) => r.conversation.id === c.id);
  expect(row).toMatchObject({ overdue: true, unread: 1 });
  const viewer = { id: B.id, name: B.name, role: 'worker' } as StaffAccount;
  const shown = conversationList([row!], viewer, 'csrf', 'Europe/London', clock).value;
  expect(shown).toContain('Waiting too long without an answer from Alex: anyone can take it.');
  expect(shown).toContain(`action="/staff/conversations/${c.id}/take"`);

  const taken = await inbox.take(c.id, B);
  expect(taken.holder).toEqual(B);
  expect((await inbox.thread(c.id)).map((e) => e.text)).toContain(
    'Bo took the conversation from Alex. Haven is quiet while they chat.',
  );
  expect((await sent(c.conversationId)).filter((t) => /^You're now talking to Bo/.test(t))).toHaveLength(1);

  // A staff answer ends the wait.
  await inbox.reply(c.id, B, 'Hi, Bo here.');
  expect(inbox.isOverdue((await inbox.get(c.id))!)).toBe(false);
  expect(await sent(c.conversationId)).toContain('Bo (youth worker):\nHi, Bo here.');
});

it('out of office hours the wait does not count', async () => {
  const FRI_1650 = Date.UTC(2026, 11, 11, 16, 50);
  const c = await waitingConversation(FRI_1650);
  clock = Date.UTC(2026, 11, 12, 12, 0); // Saturday noon: 10 office minutes
  expect(inbox.isOverdue((await inbox.get(c.id))!)).toBe(false);
  clock = Date.UTC(2026, 11, 14, 9, 25); // Monday 09:25: 35 office minutes
  expect(inbox.isOverdue((await inbox.get(c.id))!)).toBe(true);
  expect(inbox.whenRead(new Date(Date.UTC(2026, 11, 12, 12, 0)))).toEqual({
    open: false,
    next: 'on Monday after 9am',
  });
});

it('a held conversation with no staff message for INBOX_HANDBACK_MINUTES goes back to Haven and says so', async () => {
  const c = await waitingConversation(MON_10 + 60 * MIN);
  await inbox.take(c.id, A);
  const idle = (await queues.tasks.getJobs(['delayed'])).filter((j) => j.name === HANDBACK_TASK && j.data.id === c.id);
  expect(idle).toHaveLength(1);
  expect(idle[0]!.opts.delay).toBe(60 * MIN);

  clock += 59 * MIN;
  await inbox.checkIdle(c.id);
  expect((await inbox.get(c.id))!.holder).toEqual(A);

  clock += 2 * MIN;
  await inbox.checkIdle(c.id);
  expect((await inbox.get(c.id))!.holder).toBeUndefined();
  expect(await sent(c.conversationId)).toContainEqual(
    expect.stringMatching(/^Alex hasn't written for a while, so you're back with me, Haven/),
  );
  expect((await inbox.thread(c.id)).map((e) => e.text)).toContain(
    'Handed back to Haven: Alex had not written for 60 minutes.',
  );
});

it('a message the platform refused shows as not delivered in its thread', async () => {
  const c = await waitingConversation(MON_10 + 200 * MIN);
  const seq = await inbox.reply(c.id, A, 'Are you OK?');
  await inbox.recordUndelivered(`conv:${c.id}:${seq}`, 'messenger refused it: outside the window');
  const line = (await inbox.thread(c.id)).find((e) => e.seq === seq);
  expect(line).toMatchObject({
    from: 'staff',
    delivery: 'not_delivered',
    reason: 'messenger refused it: outside the window',
  });
  // Other causes are left alone.
  await inbox.recordUndelivered('req:abc:v1', 'x');
});

it('closing keeps the thread for CONVERSATION_RETENTION_DAYS (Redis TTL) and takes it off the list', async () => {
  const c = await waitingConversation(MON_10 + 300 * MIN);
  await inbox.take(c.id, A);
  await inbox.close(c.id, 'Alex');
  expect((await inbox.list(A.id)).some((r) => r.conversation.id === c.id)).toBe(false);
  expect(await inbox.current(c.conversationId)).toBeNull();
  for (const k of [keys.custom('conv', 'rec', c.id), keys.custom('conv', 'thread', c.id)]) {
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(30 * 86400 - 60);
    expect(ttl).toBeLessThanOrEqual(30 * 86400);
  }
  // Closing handed it back first, and the young person was told.
  expect(await sent(c.conversationId)).toContainEqual(expect.stringMatching(/^Alex has finished chatting/));
  await expect(inbox.reply(c.id, A, 'hello?')).rejects.toBeInstanceOf(ConversationError);
});

it("answers a turn's questions from what was read with its lock, and keeps up with what the turn changes", async () => {
  clock = MON_10;
  const cid = `webchat.${randomUUID()}`;
  // What the engine reads with the conversation's lock, in the same step.
  const read = async () => (await redis.mget(...inbox.turnKeys(cid))) as [string | null, string | null];
  let turn = inbox.forTurn(cid, await read());
  expect(await turn.current(cid)).toBeNull();
  expect(await turn.hasPendingStaffMessage(cid)).toBe(false);
  // Opened in the turn: the turn's record then finds it.
  const opened = await turn.open({ conversationId: cid, channel: 'webchat', topic: 'person' });
  expect((await turn.current(cid))?.id).toBe(opened.id);
  await turn.recordTurn(opened.id, { text: 'can i talk to a person', forTeam: true, replies: ['ok'] });
  expect((await turn.current(cid))?.waitingSince).toBe(MON_10);

  // The next turn, after staff left a message from a request.
  await inbox.noteStaffMessage(cid, 'Alex', 'how did it go?');
  turn = inbox.forTurn(cid, await read());
  expect((await turn.current(cid))?.id).toBe(opened.id);
  expect(await turn.hasPendingStaffMessage(cid)).toBe(true);
  expect(await turn.takePendingStaffMessage(opened.id, cid)).toEqual({ by: 'Alex' });
  expect(await turn.hasPendingStaffMessage(cid)).toBe(false);
  expect(await inbox.hasPendingStaffMessage(cid)).toBe(false);
  // Another conversation is asked of the store.
  expect(await turn.current(`webchat.${randomUUID()}`)).toBeNull();
  // Erased in the turn ("delete my data"): nothing is open for the rest of it.
  await turn.erase([cid]);
  expect(await turn.current(cid)).toBeNull();
  expect(await inbox.current(cid)).toBeNull();
});

describe('channel windows, as shown to staff before they type', () => {
  const now = MON_10;
  const H = 3600_000;
  it.each([
    ['messenger', 1 * H, true, 'response'],
    ['messenger', 30 * H, true, 'human_agent'],
    ['messenger', 8 * 24 * H, false, 'closed'],
    ['whatsapp-cloud', 23 * H, true, 'response'],
    ['whatsapp-cloud', 25 * H, false, 'closed'],
    ['whatsapp', 30 * 24 * H, true, 'none'],
    ['webchat', 30 * 24 * H, true, 'none'],
  ] as const)('%s, last message %d ms ago', (channel, ago, canSend, mode) => {
    expect(channelWindow(channel, now - ago, now)).toMatchObject({ canSend, mode });
  });
  it('says why Messenger refuses after 7 days', () => {
    expect(channelWindow('messenger', now - 8 * 24 * H, now).say).toMatch(/more than 7 days ago/);
  });
});
