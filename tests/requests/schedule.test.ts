import { jobId } from '../../src/engine/queues';
import { REMINDER_TASK, type OneToOneRequest, type RequestChange } from '../../src/domain/requests';
import { loadSafetyContent, sessionSafetyReminder } from '../../src/flows/online-safety/content';
import type { Conversation } from '../support/conversation';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { joinedMember } from '../support/members';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

// Reminders an hour and a quarter of an hour before the session.
const OFFSETS = ['60', '15'];
const MINUTE = 60_000;

/**
 * Time is the subject here, so the test holds Haven's clock (StartOptions.now): sessions are booked
 * against it, and a reminder is a delayed job on the tasks queue made with the delay that clock
 * gives. The test moves the clock to the reminder's time and runs the job (BullMQ's promote), so
 * nothing depends on how fast the machine is.
 */
describe('the coordinator queue: claim, schedule, reminders, message, close', () => {
  let haven: TestHaven;
  let hook: StubServer;
  const changes: RequestChange[] = [];
  const safety = loadSafetyContent();
  let clock = Date.parse('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven(
      'sched',
      {
        REMINDER_OFFSETS_MINUTES: OFFSETS.join(','),
        COORDINATOR_WEBHOOK_URL: `${hook.url}/hook`,
      },
      { now: () => new Date(clock) },
    );
    haven.requests.onChange((c) => changes.push(c));
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  const member = (name: string) => joinedMember(haven, name);

  async function request(memberId: string, name: string, chat: Conversation): Promise<OneToOneRequest> {
    const out = await haven.requests.create({
      memberId,
      memberName: name,
      conversationId: chat.conversationId,
      platform: 'zoom',
      when: 'evenings',
      workers: 'one',
    });
    expect(out.created).toBe(true);
    return out.request;
  }

  const reminderJob = (id: string, offset: string) => haven.queues.tasks.getJob(jobId('reminder', id, offset));

  /** Moves the clock to a reminder's time and runs its job; checks it was delayed by just that long. */
  async function reminderTime(id: string, offset: string, sessionAt: number, bookedAt: number): Promise<void> {
    const job = await reminderJob(id, offset);
    expect(await job?.isDelayed()).toBe(true);
    const fireAt = sessionAt - Number(offset) * MINUTE;
    expect(job!.opts.delay).toBe(fireAt - bookedAt);
    clock = fireAt;
    await job!.promote();
    await waitFor(
      async () => (await reminderJob(id, offset))?.isCompleted(),
      30_000,
      `the ${offset}-minute reminder to run`,
    );
  }

  it('queue order, claim, schedule: confirmation with the safety reminder, then both reminders, each with it', async () => {
    const a = await member('Ava');
    const b = await member('Ben');
    // The clock is held: without moving it both requests are made at the same moment, and there is no
    // "first". Ava asks a minute before Ben (the clock ends where the rest of the test expects it).
    const start = clock;
    clock = start - MINUTE;
    const ra = await request(a.memberId, 'Ava', a.chat);
    clock = start;
    const rb = await request(b.memberId, 'Ben', b.chat);
    expect(await haven.requests.position(ra.id)).toBe(1);
    expect(await haven.requests.position(rb.id)).toBe(2);
    expect((await haven.requests.list()).map((r) => r.id)).toEqual([ra.id, rb.id]);

    await haven.requests.claim(ra.id, 'Terry');
    await expect(haven.requests.claim(ra.id, 'Ana')).rejects.toMatchObject({ code: 'WRONG_STATE' });
    await expect(
      haven.requests.schedule(ra.id, { at: new Date(clock + MINUTE), place: 'Zoom' }, 'Terry'),
    ).rejects.toMatchObject({ code: 'INVALID' }); // nobody assigned yet
    await haven.requests.assign(ra.id, ['Terry', 'Ana'], 'Terry');

    const bookedAt = clock;
    const at = new Date(clock + 2 * 60 * MINUTE);
    await haven.requests.schedule(ra.id, { at, place: 'https://zoom.example/j/123' }, 'Terry');
    const confirmation = await a.chat.expectReply(/booked/);
    expect(confirmation.text).toContain('https://zoom.example/j/123');
    expect(confirmation.text).toContain('Terry and Ana');
    expect(confirmation.text).toContain(sessionSafetyReminder(safety, 'zoom'));
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: 'numeric',
      minute: '2-digit',
      // h12, not en-GB's default h11: 12:05pm, never 0:05pm.
      hourCycle: 'h12',
    })
      .format(at)
      .replace(' ', '')
      .replace(/:00/, '');
    expect(confirmation.text.toLowerCase()).toContain(local.toLowerCase());
    expect(await haven.requests.position(rb.id)).toBe(1);

    // Nothing comes before its time.
    await a.chat.expectNoMoreReplies({ only: ['inbound', 'outbound'] });
    for (const offset of OFFSETS) {
      await reminderTime(ra.id, offset, at.getTime(), bookedAt);
      const reminder = await a.chat.expectReply(/^Reminder: your one-to-one with Terry and Ana is/);
      expect(reminder.text).toMatch(offset === '60' ? /is today at 11am\./ : /is in 15 minutes \(11am\)\./);
      expect(reminder.text).toContain(sessionSafetyReminder(safety, 'zoom'));
    }
    const history = await haven.requests.history(ra.id);
    expect(history.map((h) => h.event)).toEqual([
      'created',
      'claimed',
      'assigned',
      'scheduled',
      'reminded',
      'reminded',
    ]);
    expect(history[1]).toMatchObject({ by: 'Terry' });
    expect(changes.filter((c) => c.requestId === ra.id).map((c) => c.type)).toEqual(
      expect.arrayContaining(['claimed', 'assigned', 'scheduled', 'reminded']),
    );

    await haven.requests.message(ra.id, 'See you soon!', 'Terry');
    await a.chat.expectReply(/From Terry \(youth worker\):\nSee you soon!/);
    await haven.requests.close(ra.id, 'done', 'Terry');
    expect((await haven.requests.get(ra.id))?.status).toBe('done');
    expect(await haven.requests.openRequestFor(a.memberId)).toBeNull();

    // The coordinator heard of both new requests, without any platform id.
    await waitFor(
      () => hook.requests.filter((r) => (r.json as { type: string }).type === 'one_to_one_request').length >= 2,
      30_000,
      'the coordinator told of both requests',
    );
    for (const r of hook.requests) {
      expect(r.body).not.toContain(a.chat.clientId);
      expect(r.body).not.toContain(b.chat.clientId);
    }
  });

  it('sends no reminder to someone who said "stop", and the history says so', async () => {
    const c = await member('Cal');
    const rc = await request(c.memberId, 'Cal', c.chat);
    await haven.requests.claim(rc.id, 'Terry');
    await haven.requests.assign(rc.id, ['Terry'], 'Terry');
    await c.chat.send('stop');
    await c.chat.expectReply(/send start/i);
    const bookedAt = clock;
    const at = clock + 2 * 60 * MINUTE;
    await haven.requests.schedule(rc.id, { at: new Date(at), place: 'Zoom link' }, 'Terry');
    // The confirmation is a member of staff's message: it still goes.
    await c.chat.expectReply(/booked/);
    expect(await haven.requests.optedOut(c.chat.conversationId)).toBe(true);
    for (const offset of OFFSETS) await reminderTime(rc.id, offset, at, bookedAt);
    const reminded = (await haven.requests.history(rc.id)).filter((h) => h.event === 'not_delivered');
    expect(reminded).toHaveLength(2);
    expect(reminded.every((h) => /not sent, they said "stop"/.test(h.detail ?? ''))).toBe(true);
    await c.chat.expectNoMoreReplies({ only: ['inbound', 'outbound'] });
    expect(c.chat.replies.filter((r) => /^Reminder:/.test(r.text))).toHaveLength(0);
  });

  it('a booking that cannot reach the young person shows on the request as not delivered', async () => {
    const d = await member('Dee');
    const rd = await request(d.memberId, 'Dee', d.chat);
    await haven.requests.assign(rd.id, ['Terry'], 'Terry');
    // As when they have not messaged for longer than their address is kept.
    await haven.redis.del(haven.keys.address(d.chat.conversationId));
    await haven.requests.schedule(rd.id, { at: new Date(clock + 60 * MINUTE), place: 'Zoom link' }, 'Terry');
    const failed = await waitFor(
      async () => (await haven.requests.history(rd.id)).find((h) => h.event === 'not_delivered'),
      30_000,
      'the booking to be recorded as not delivered',
    );
    expect(failed.detail).toMatch(/no way to reach them/);
    expect(changes.some((c) => c.requestId === rd.id && c.type === 'not_delivered')).toBe(true);
    await haven.requests.close(rd.id, 'cancelled', 'Terry', { tellYoungPerson: false });
  });

  it('rescheduling moves the reminders; a reminder whose time has passed is skipped; cancelling removes them', async () => {
    const c = await member('Cal');
    const r = await request(c.memberId, 'Cal', c.chat);
    const first = clock + 3 * 60 * MINUTE;
    await haven.requests.schedule(
      r.id,
      { at: new Date(first), place: "we'll call you on WhatsApp", workers: ['Terry'] },
      'Terry',
    );
    await c.chat.expectReply(/booked/);
    for (const o of OFFSETS) {
      const job = await reminderJob(r.id, o);
      expect(job?.name).toBe(REMINDER_TASK);
      expect(await job!.isDelayed()).toBe(true);
      expect(job!.data).toMatchObject({ requestId: r.id, sessionAt: first });
    }

    const moved = clock + 4 * 60 * MINUTE;
    await haven.requests.schedule(r.id, { at: new Date(moved), place: "we'll call you on WhatsApp" }, 'Terry');
    // Told as a move, not as a second booking; and recorded as one.
    const move = await c.chat.expectReply(/has moved to a new time/);
    expect(move.text).not.toMatch(/Good news/);
    expect(move.text).toContain("we'll call you on WhatsApp");
    expect((await haven.requests.history(r.id)).map((h) => h.event)).toContain('rescheduled');
    for (const o of OFFSETS) {
      const job = await reminderJob(r.id, o);
      expect(await job!.isDelayed()).toBe(true);
      expect(job!.data.sessionAt).toBe(moved);
    }
    expect(
      (await haven.queues.tasks.getDelayed()).filter(
        (j) => j.name === REMINDER_TASK && (j.data as { requestId: string }).requestId === r.id,
      ),
    ).toHaveLength(OFFSETS.length);

    // Half an hour away: the hour-before reminder is already past and is skipped.
    const soon = clock + 30 * MINUTE;
    await haven.requests.schedule(r.id, { at: new Date(soon), place: "we'll call you on WhatsApp" }, 'Terry');
    expect(await reminderJob(r.id, OFFSETS[0]!)).toBeUndefined();
    expect((await reminderJob(r.id, OFFSETS[1]!))?.data.sessionAt).toBe(soon);
    expect((await reminderJob(r.id, OFFSETS[1]!))?.opts.delay).toBe(15 * MINUTE);
    await c.chat.expectReply(/has moved to a new time/);

    await haven.requests.schedule(r.id, { at: new Date(clock + 60 * MINUTE), place: 'Zoom' }, 'Terry');
    await c.chat.expectReply(/has moved to a new time[\s\S]*Where: Zoom/);
    await haven.requests.close(r.id, 'cancelled', 'Terry');
    for (const o of OFFSETS) expect(await reminderJob(r.id, o)).toBeUndefined();
    await c.chat.expectReply(/closed your one-to-one request/);
    await expect(haven.requests.close(r.id, 'done', 'Terry')).rejects.toMatchObject({ code: 'WRONG_STATE' });
  });

  it('a young person cancelling a scheduled session removes its reminders', async () => {
    const d = await member('Dee');
    const r = await request(d.memberId, 'Dee', d.chat);
    await haven.requests.schedule(
      r.id,
      { at: new Date(clock + 3 * 60 * MINUTE), place: 'Zoom link', workers: ['Ana'] },
      'Ana',
    );
    await d.chat.expectReply(/booked/);
    await d.chat.send('status');
    await d.chat.expectReply(/booked.*Zoom link.*Ana/s);
    await d.chat.send('cancel');
    // Asked first: a stray "cancel" does not lose a booked session.
    await d.chat.expectReply(/Do you want to cancel your one-to-one on .*tell your youth worker/);
    for (const o of OFFSETS) expect(await reminderJob(r.id, o)).toBeDefined();
    await d.chat.send('yes');
    await d.chat.expectReply(/cancelled your one-to-one/);
    for (const o of OFFSETS) expect(await reminderJob(r.id, o)).toBeUndefined();
    await waitFor(
      () => hook.requests.find((x) => (x.json as { type: string }).type === 'one_to_one_request_cancelled'),
      30_000,
      'the coordinator told of the cancellation',
    );
  });
});
