import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  createGroupService,
  GROUP_TASK,
  GroupError,
  type GroupInput,
  type GroupService,
  type GroupTaskJob,
  type GroupWorker,
} from '../../src/domain/groups';
import { Keys } from '../../src/engine/keys';
import type { OutboundJob } from '../../src/engine/message';
import { Outbox } from '../../src/engine/outbox';
import { Queues } from '../../src/engine/queues';
import { GroupContentError, groupWords, loadGroupContent } from '../../src/flows/groups/content';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';
import { captureLogger } from '../support/util';

/** The group service against the real Redis (its own prefix), with real queues and no workers. */
const prefix = uniquePrefix('groups-svc');
const keys = new Keys(prefix);
let redis: Redis;
let queues: Queues;
let groups: GroupService;
const opted = new Set<string>();
const staff: Record<string, GroupWorker> = {
  'terry@example.org': { id: '11111111-1111-4111-8111-111111111111', name: 'Terry', email: 'terry@example.org' },
  'ana@example.org': { id: '22222222-2222-4222-8222-222222222222', name: 'Ana', email: 'ana@example.org' },
};

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  queues = new Queues(redis, keys);
  groups = createGroupService({
    redis,
    keys,
    tasks: queues.tasks,
    outbox: new Outbox(queues.outbound),
    log: captureLogger().logger,
    workers: { find: async (e) => staff[e] ?? Object.values(staff).find((w) => w.id === e) ?? null },
    timezone: 'Europe/London',
    reminderOffsetsMinutes: [1440, 15],
    linkMinutesBefore: 30,
    retentionDays: 30,
    words: groupWords(loadGroupContent()),
    optedOut: async (id) => opted.has(id),
  });
});
afterAll(async () => {
  await queues.close();
  await redis.quit();
  await cleanupPrefix(prefix);
});

const session = (over: Partial<GroupInput> = {}): GroupInput => ({
  title: 'Carers chat',
  description: 'A chat.',
  at: Date.now() + 2 * 24 * 3600_000,
  minutes: 60,
  link: 'https://zoom.us/j/1',
  capacity: 3,
  workers: ['terry@example.org', 'ana@example.org'],
  ...over,
});
const who = (n: number) => ({ memberId: `m${n}`, name: `Person${n} Surname`, conversationId: `webchat:c${n}` });
const sentTo = async (conversationId: string): Promise<OutboundJob[]> =>
  ((await queues.outbound.getJobs(['waiting', 'delayed', 'completed'])) as { data: OutboundJob }[])
    .map((j) => j.data)
    .filter((d) => d.conversationId === conversationId);

it('refuses fewer than two workers, unknown staff, a link that is not https, a start in the past', async () => {
  const refused = async (i: GroupInput) => {
    const err = (await groups.create(i, 'test').catch((e: unknown) => e)) as GroupError;
    expect(err).toBeInstanceOf(GroupError);
    return err;
  };
  const one = await refused(session({ workers: ['terry@example.org'] }));
  expect(one.code).toBe('TOO_FEW_WORKERS');
  expect(one.message).toMatch(/at least two youth workers lead every group session/);
  // The same worker twice is still one worker.
  expect((await refused(session({ workers: ['terry@example.org', staff['terry@example.org']!.id] }))).code).toBe(
    'TOO_FEW_WORKERS',
  );
  expect((await refused(session({ workers: ['terry@example.org', 'nobody@example.org'] }))).message).toMatch(
    /no enabled staff account for nobody@example.org/,
  );
  expect((await refused(session({ link: 'http://zoom.us/j/1' }))).message).toMatch(/https/);
  expect((await refused(session({ at: Date.now() - 1000 }))).message).toMatch(/past/);
  expect((await refused(session({ capacity: 0 }))).code).toBe('INVALID');
});

it('gives exactly the free places to concurrent sign-ups, the rest the waiting list in order, each person once', async () => {
  const s = await groups.create(session({ capacity: 3 }), 'test');
  const results = await Promise.all(
    [...Array(10).keys(), 0, 1].map((n) => groups.signUp(s.id, who(n), { waitingList: true })),
  );
  expect(results.filter((r) => r.outcome === 'booked')).toHaveLength(3);
  expect(results.filter((r) => r.outcome === 'waiting')).toHaveLength(7);
  expect(results.filter((r) => r.outcome === 'already')).toHaveLength(2);
  const { booked, waiting } = await groups.places(s.id);
  expect(booked).toHaveLength(3);
  expect(waiting).toHaveLength(7);
  expect(new Set([...booked, ...waiting].map((p) => p.memberId)).size).toBe(10);
  // First names only on the lists.
  expect([...booked, ...waiting].every((p) => /^Person\d$/.test(p.name))).toBe(true);

  // Without asking for the waiting list, a full session says so and adds nobody.
  expect((await groups.signUp(s.id, who(50), { waitingList: false })).outcome).toBe('full');

  // A booked person leaves: the first waiting gets the place, and is told (even after "stop").
  const first = waiting[0]!;
  opted.add(first.conversationId);
  expect((await groups.leave(s.id, booked[0]!.memberId)).was).toBe('booked');
  const after = await groups.places(s.id);
  expect(after.booked.map((p) => p.memberId)).toContain(first.memberId);
  expect(after.waiting[0]?.memberId).toBe(waiting[1]!.memberId);
  const told = await sentTo(first.conversationId);
  expect(told).toHaveLength(1);
  expect(told[0]).toMatchObject({ purpose: 'event', essential: true });
  expect(told[0]!.message.text).toMatch(/A place came free on Carers chat/);
  expect(told[0]!.message.text).toMatch(/You said "stop"/);
  expect(told[0]!.followUps?.[0]?.text).toMatch(/keep you safe online/);

  // A message about the session that could not be delivered shows on that young person's place.
  await groups.recordUndelivered(told[0]!.cause, 'messenger refused it: outside the messaging window');
  expect((await groups.places(s.id)).booked.find((p) => p.memberId === first.memberId)?.notDelivered).toMatch(
    /outside the messaging window/,
  );
  await groups.recordUndelivered('req:someone-else:v2', 'not ours');

  // A waiting person leaving promotes nobody.
  expect((await groups.leave(s.id, waiting[3]!.memberId)).was).toBe('waiting');
  expect((await groups.places(s.id)).booked).toHaveLength(3);

  // More places fill from the waiting list; fewer than are booked is refused.
  await groups.edit(s.id, { ...session({ capacity: 5 }), at: s.at }, 'test');
  expect((await groups.places(s.id)).booked).toHaveLength(5);
  const fewer = await groups.edit(s.id, { ...session({ capacity: 2 }), at: s.at }, 'test').catch((e: unknown) => e);
  expect((fewer as GroupError).message).toMatch(/5 young people already have a place/);
});

it('moves make new reminders, a stale one sends nothing, and a cancelled session takes no sign-ups', async () => {
  const s = await groups.create(session({ title: 'Moving club' }), 'test');
  await groups.signUp(s.id, who(100), { waitingList: true });
  const jobsFor = async () =>
    ((await queues.tasks.getDelayed()) as { name: string; data: GroupTaskJob }[]).filter(
      (j) => j.name === GROUP_TASK && j.data.groupId === s.id,
    );
  // 1440 before, and the link 30 before (the 15-minute reminder falls inside the link's window).
  expect((await jobsFor()).map((j) => `${j.data.kind}:${j.data.offsetMinutes}`).sort()).toEqual([
    'link:30',
    'reminder:1440',
  ]);
  const old = (await jobsFor())[0]!.data;
  const moved = await groups.move(s.id, s.at + 3600_000, 'test');
  expect((await jobsFor()).every((j) => j.data.at === moved.at)).toBe(true);
  expect(await jobsFor()).toHaveLength(2);
  const before = (await sentTo(who(100).conversationId)).length;
  await groups.taskHandlers()[GROUP_TASK]!(old, undefined as never);
  expect((await sentTo(who(100).conversationId)).length).toBe(before);

  await groups.cancel(s.id, 'test');
  expect(await jobsFor()).toHaveLength(0);
  const last = (await sentTo(who(100).conversationId)).find((j) => /has been cancelled/.test(j.message.text))!;
  expect(last.message.text).toMatch(/Moving club on .* has been cancelled/);
  expect(last.essential).toBe(true);
  expect((await groups.signUp(s.id, who(101), { waitingList: true })).outcome).toBe('closed');
  expect((await groups.upcoming()).some((u) => u.session.id === s.id)).toBe(false);
});

it("marks a group's first session by its title unless told", async () => {
  const a = await groups.create(session({ title: 'Drama group', at: Date.now() + 5 * 24 * 3600_000 }), 'test');
  const b = await groups.create(session({ title: 'drama group', at: Date.now() + 12 * 24 * 3600_000 }), 'test');
  const c = await groups.create(
    session({ title: 'Drama group', at: Date.now() + 19 * 24 * 3600_000, firstSession: true }),
    'test',
  );
  expect([a.firstSession, b.firstSession, c.firstSession]).toEqual([true, false, true]);
});

it('refuses to start with a bad group content file, naming what is wrong', () => {
  const path = join(tmpdir(), `group-content-${process.pid}.json`);
  writeFileSync(path, JSON.stringify({ version: 1, safetyTalk: { intro: '', points: [] }, expectations: {} }));
  expect(() => loadGroupContent(path)).toThrow(GroupContentError);
  try {
    loadGroupContent(path);
  } catch (err) {
    const msg = (err as Error).message;
    expect(msg).toMatch(/safetyTalk.intro: must not be empty/);
    expect(msg).toMatch(/safetyTalk.points: must have at least one point/);
    expect(msg).toMatch(/groundRules/);
  }
});
