import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../../common/logger';
import type { Outbox } from '../../engine/outbox';
import { jobId } from '../../engine/queues';
import type { TaskHandlers } from '../../engine/tasks';
import type { GroupStore } from './store';
import {
  beforeYouJoinText,
  bookedText,
  cancelledText,
  linkText,
  movedText,
  reminderText,
  waitingText,
  type GroupWords,
} from './texts';
import {
  GroupError,
  MIN_GROUP_WORKERS,
  MIN_WORKERS_REASON,
  type GroupChange,
  type GroupInput,
  type GroupPlace,
  type GroupSession,
  type GroupWorker,
} from './types';

/** Job name on the `tasks` queue for a message before a group session (a reminder, or the link). */
export const GROUP_TASK = 'group-session-message';

/** Job data for {@link GROUP_TASK}. */
export interface GroupTaskJob {
  groupId: string;
  /** The start this job was made for; a moved session makes it stale. */
  at: number;
  kind: 'reminder' | 'link';
  offsetMinutes: number;
}

/** Finds the staff accounts that may lead a session (by email or id); null when none, or disabled. */
export interface WorkerDirectory {
  find(emailOrId: string): Promise<GroupWorker | null>;
}

/** What the {@link GroupService} needs. */
export interface GroupServiceDeps {
  store: GroupStore;
  tasks: Queue;
  outbox: Outbox;
  log: Logger;
  workers: WorkerDirectory;
  /** IANA time zone for times told to young people (TIMEZONE). */
  timezone: string;
  /** Minutes before a session to remind (REMINDER_OFFSETS_MINUTES). */
  reminderOffsetsMinutes: number[];
  /** Minutes before the start the link is sent (GROUP_LINK_MINUTES_BEFORE). */
  linkMinutesBefore: number;
  words: GroupWords;
  /** True when the young person said "stop" (reminders and the link are then not sent; staff see so). */
  optedOut?: (conversationId: string) => Promise<boolean>;
  now?: () => number;
}

const https = z
  .string()
  .trim()
  .max(500, 'the link is too long')
  .pipe(z.url({ protocol: /^https$/, message: 'the link must be a full https:// meeting link' }));
const input = z
  .object({
    title: z.string().trim().min(1, 'give the session a title').max(80, 'the title is too long (80 at most)'),
    description: z.string().trim().max(600, 'the description is too long (600 characters at most)'),
    at: z.number().finite('the start is not a valid date and time'),
    minutes: z
      .number()
      .int()
      .min(15, 'a session lasts at least 15 minutes')
      .max(480, 'a session lasts 8 hours at most'),
    link: https,
    capacity: z.number().int().min(1, 'at least one place').max(100, 'at most 100 places'),
    ageMin: z.number().int().min(5).max(25).optional(),
    ageMax: z.number().int().min(5).max(25).optional(),
    workers: z.array(z.string().trim().min(1)).max(10),
    firstSession: z.boolean().optional(),
  })
  .refine((i) => !i.ageMin || !i.ageMax || i.ageMin <= i.ageMax, 'the youngest age is above the oldest');

/** The port flows use: what a young person can do with groups. */
export interface GroupsPort {
  upcoming(): Promise<{ session: GroupSession; placesLeft: number }[]>;
  get(id: string): Promise<GroupSession | null>;
  placeOf(id: string, memberId: string): Promise<GroupPlace | null>;
  signUp(
    id: string,
    who: { memberId: string; name: string; conversationId: string },
    opts: { waitingList: boolean },
  ): Promise<SignUpResult>;
  leave(id: string, memberId: string): Promise<{ was: 'booked' | 'waiting' | 'none'; session: GroupSession | null }>;
  signUpsOf(memberId: string): Promise<{ session: GroupSession; place: GroupPlace; position: number | null }[]>;
  /** The link when it may be shown now (in the window before the start), else null. */
  linkIfDue(s: GroupSession): string | null;
  linkMinutesBefore: number;
  eraseMember(memberId: string): Promise<number>;
}

/** What signing up did, with the messages to give the young person. */
export type SignUpResult =
  | { outcome: 'booked'; session: GroupSession; messages: string[] }
  | { outcome: 'waiting'; session: GroupSession; position: number | null; messages: string[] }
  | { outcome: 'full' | 'already' | 'closed' | 'started' | 'none'; session: GroupSession | null; place?: GroupPlace };

/**
 * Peer support group sessions: staff create, edit, move and cancel them (everyone on the list is
 * told of a move or a cancellation, even after "stop"); young people sign up, go on the waiting
 * list, cancel; a freed place goes to the first on the waiting list, who is told. Before each
 * session, on the `tasks` queue: reminders at the reminder offsets and the link shortly before
 * the start ("stop" honoured, recorded on the place for staff).
 */
export class GroupService implements GroupsPort {
  private readonly listeners = new Set<(c: GroupChange) => void>();
  private readonly now: () => number;

  constructor(private readonly d: GroupServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  get linkMinutesBefore(): number {
    return this.d.linkMinutesBefore;
  }

  get store(): GroupStore {
    return this.d.store;
  }

  onChange(listener: (c: GroupChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: GroupChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.d.log.warn({ err: { message: (err as Error).message } }, 'group listener failed');
      }
    }
  }

  taskHandlers(): TaskHandlers {
    return { [GROUP_TASK]: (data) => this.beforeSession(data as GroupTaskJob) };
  }

  // ----- staff side -----

  /** Creates a session. Fewer than two leading youth workers is refused with the policy's reason. */
  async create(i: GroupInput, by: string): Promise<GroupSession> {
    const v = await this.validate(i);
    const now = this.now();
    const firstSession =
      i.firstSession ??
      !(await this.d.store.listAll()).some(
        (s) => s.status === 'scheduled' && s.at < v.at && s.title.toLowerCase() === v.title.toLowerCase(),
      );
    const s: GroupSession = {
      id: randomUUID(),
      ...v.fields,
      firstSession,
      status: 'scheduled',
      createdAt: now,
      updatedAt: now,
      createdBy: by,
      version: 1,
    };
    await this.d.store.create(s);
    await this.queueMessages(s);
    this.d.log.info({ groupId: s.id, workers: s.workers.length, capacity: s.capacity }, 'group session created');
    this.emit({ type: 'created', groupId: s.id });
    return s;
  }

  /**
   * Edits a session. A new start time is a move: everyone signed up or waiting is told, and the
   * reminders are made again. More places fill from the waiting list (each told); fewer than are
   * already booked is refused.
   */
  async edit(id: string, i: GroupInput, by: string): Promise<GroupSession> {
    const v = await this.validate(i);
    const booked = await this.d.store.bookedCount(id);
    if (v.fields.capacity < booked)
      throw new GroupError(
        'INVALID',
        `${booked} young people already have a place, so there must be at least ${booked} places`,
      );
    const { before, after } = await this.d.store.update(
      id,
      (s) => {
        if (s.status !== 'scheduled') throw new GroupError('WRONG_STATE', 'this session was cancelled');
        return { ...s, ...v.fields, firstSession: i.firstSession ?? s.firstSession, updatedBy: by };
      },
      this.now(),
    );
    const moved = before.at !== after.at;
    if (moved) {
      await this.removeMessages(before);
      await this.queueMessages(after);
      await this.tellEveryone(after, (p) => movedText(after, p.status, this.d.timezone), 'moved');
    }
    if (after.capacity > before.capacity) await this.promote(after, await this.d.store.fill(id, this.now()));
    this.d.log.info({ groupId: id, moved }, 'group session edited');
    this.emit({ type: moved ? 'moved' : 'edited', groupId: id });
    return after;
  }

  /** Moves a session to a new start (everyone is told). */
  async move(id: string, at: number, by: string): Promise<GroupSession> {
    const s = await this.mustGet(id);
    return this.edit(id, { ...this.inputOf(s), at }, by);
  }

  /** Cancels a session: everyone signed up or waiting is told; its reminders are removed. */
  async cancel(id: string, by: string): Promise<GroupSession> {
    const { after } = await this.d.store.update(
      id,
      (s) => {
        if (s.status !== 'scheduled') throw new GroupError('WRONG_STATE', 'this session is already cancelled');
        return { ...s, status: 'cancelled', updatedBy: by };
      },
      this.now(),
    );
    await this.removeMessages(after);
    await this.tellEveryone(after, () => cancelledText(after, this.d.timezone), 'cancelled');
    this.d.log.info({ groupId: id }, 'group session cancelled');
    this.emit({ type: 'cancelled', groupId: id });
    return after;
  }

  /** Marks whether a young person came (after the session). */
  async markAttendance(id: string, memberId: string, attended: boolean): Promise<void> {
    const s = await this.mustGet(id);
    if (s.at > this.now()) throw new GroupError('WRONG_STATE', 'attendance is marked once the session has started');
    const ok = await this.d.store.updatePlace(id, memberId, (p) => ({ ...p, attended }));
    if (!ok) throw new GroupError('NOT_FOUND', 'that young person is not on this session');
    this.emit({ type: 'attendance', groupId: id });
  }

  /** A member of staff writes to one young person on the list (sent as from them). */
  async message(id: string, memberId: string, text: string, by: string): Promise<void> {
    const body = text.trim();
    if (!body) throw new GroupError('INVALID', 'the message is empty');
    if (body.length > 2000) throw new GroupError('INVALID', 'the message is too long (2,000 characters at most)');
    const s = await this.mustGet(id);
    const p = await this.d.store.place(id, memberId);
    if (!p) throw new GroupError('NOT_FOUND', 'that young person is not on this session');
    await this.d.outbox.send(
      p.conversationId,
      { text: `From ${by} (youth worker), about ${s.title}:\n${body}` },
      'staff',
      `grp:${id}:${memberId}:msg:${randomUUID()}`,
    );
  }

  /** Sessions held (upcoming and past, until their retention ends), latest first. */
  listAll(): Promise<GroupSession[]> {
    return this.d.store.listAll();
  }

  places(id: string): Promise<{ booked: GroupPlace[]; waiting: GroupPlace[] }> {
    return this.d.store.places(id);
  }

  // ----- young person's side -----

  async upcoming(): Promise<{ session: GroupSession; placesLeft: number }[]> {
    const list = (await this.d.store.listFrom(this.now())).filter((s) => s.status === 'scheduled');
    return Promise.all(
      list.map(async (session) => ({
        session,
        placesLeft: Math.max(0, session.capacity - (await this.d.store.bookedCount(session.id))),
      })),
    );
  }

  get(id: string): Promise<GroupSession | null> {
    return this.d.store.get(id);
  }

  placeOf(id: string, memberId: string): Promise<GroupPlace | null> {
    return this.d.store.place(id, memberId);
  }

  async signUp(
    id: string,
    who: { memberId: string; name: string; conversationId: string },
    opts: { waitingList: boolean },
  ): Promise<SignUpResult> {
    const session = await this.d.store.get(id);
    if (!session) return { outcome: 'none', session: null };
    const now = this.now();
    const out = await this.d.store.signUp(
      session,
      { memberId: who.memberId, name: firstName(who.name), conversationId: who.conversationId, signedUpAt: now },
      now,
      opts.waitingList,
    );
    if (out.outcome === 'booked') {
      this.emit({ type: 'signed_up', groupId: id });
      const optedOut = await this.optedOut(who.conversationId);
      return {
        outcome: 'booked',
        session,
        messages: [
          bookedText(session, firstName(who.name), this.d.timezone, this.d.linkMinutesBefore, this.d.words, {
            optedOut,
          }),
          beforeYouJoinText(this.d.words),
        ],
      };
    }
    if (out.outcome === 'waiting') {
      this.emit({ type: 'signed_up', groupId: id });
      const position = await this.d.store.waitingPosition(id, who.memberId);
      return { outcome: 'waiting', session, position, messages: [waitingText(session, position)] };
    }
    return { outcome: out.outcome, session, place: out.place };
  }

  async leave(
    id: string,
    memberId: string,
  ): Promise<{ was: 'booked' | 'waiting' | 'none'; session: GroupSession | null }> {
    const out = await this.d.store.leave(id, memberId, this.now());
    const session = await this.d.store.get(id);
    if (out.was !== 'none') this.emit({ type: 'left', groupId: id });
    if (session && out.promoted.length) await this.promote(session, out.promoted);
    return { was: out.was, session };
  }

  async signUpsOf(memberId: string): Promise<{ session: GroupSession; place: GroupPlace; position: number | null }[]> {
    const out: { session: GroupSession; place: GroupPlace; position: number | null }[] = [];
    const now = this.now();
    for (const id of await this.d.store.sessionsOf(memberId)) {
      const session = await this.d.store.get(id);
      if (!session || session.status !== 'scheduled' || session.at + session.minutes * 60_000 < now) continue;
      const place = await this.d.store.place(id, memberId);
      if (!place) continue;
      const position = place.status === 'waiting' ? await this.d.store.waitingPosition(id, memberId) : null;
      out.push({ session, place, position });
    }
    return out.sort((a, b) => a.session.at - b.session.at);
  }

  linkIfDue(s: GroupSession): string | null {
    const now = this.now();
    return s.status === 'scheduled' &&
      now >= s.at - this.d.linkMinutesBefore * 60_000 &&
      now < s.at + s.minutes * 60_000
      ? s.link
      : null;
  }

  /** Takes a member off every session (a freed place goes to the next on the waiting list). */
  async eraseMember(memberId: string): Promise<number> {
    let n = 0;
    for (const id of await this.d.store.sessionsOf(memberId)) {
      const { was } = await this.leave(id, memberId);
      if (was !== 'none') n++;
    }
    return n;
  }

  /**
   * Records that a message about a session (its `cause` is `grp:{id}:{memberId}:...`) could not
   * be delivered, on that young person's place, so staff see it. Other causes are ignored.
   */
  async recordUndelivered(cause: string | undefined, reason: string): Promise<void> {
    const m = /^grp:([^:]+):([^:]+):/.exec(cause ?? '');
    if (!m) return;
    await this.d.store.updatePlace(m[1] as string, m[2] as string, (p) => ({
      ...p,
      notDelivered: reason.slice(0, 200),
    }));
    this.emit({ type: 'edited', groupId: m[1] as string });
  }

  // ----- internals -----

  private async optedOut(conversationId: string): Promise<boolean> {
    return this.d.optedOut ? this.d.optedOut(conversationId).catch(() => false) : false;
  }

  private async mustGet(id: string): Promise<GroupSession> {
    const s = await this.d.store.get(id);
    if (!s) throw new GroupError('NOT_FOUND', 'there is no group session with that id');
    return s;
  }

  private inputOf(s: GroupSession): GroupInput {
    return {
      title: s.title,
      description: s.description,
      at: s.at,
      minutes: s.minutes,
      link: s.link,
      capacity: s.capacity,
      ageMin: s.ageMin,
      ageMax: s.ageMax,
      workers: s.workers.map((w) => w.id),
      firstSession: s.firstSession,
    };
  }

  private async validate(i: GroupInput) {
    const parsed = input.safeParse(i);
    if (!parsed.success) throw new GroupError('INVALID', parsed.error.issues[0]?.message ?? 'check the session');
    const v = parsed.data;
    if (v.at <= this.now()) throw new GroupError('INVALID', 'the start time is in the past');
    const workers: GroupWorker[] = [];
    const unknown: string[] = [];
    for (const w of v.workers) {
      const found = await this.d.workers.find(w);
      if (!found) unknown.push(w);
      else if (!workers.some((x) => x.id === found.id)) workers.push(found);
    }
    if (unknown.length) throw new GroupError('INVALID', `no enabled staff account for ${unknown.join(', ')}`);
    if (workers.length < MIN_GROUP_WORKERS)
      throw new GroupError(
        'TOO_FEW_WORKERS',
        `choose at least ${MIN_GROUP_WORKERS} youth workers to lead it (${workers.length} chosen): ${MIN_WORKERS_REASON}`,
      );
    const { workers: _ids, firstSession: _first, ...rest } = v;
    return { at: v.at, title: v.title, fields: { ...rest, workers } };
  }

  /** Tells every young person on the list (booked and waiting). Sent even to those who said "stop". */
  private async tellEveryone(s: GroupSession, text: (p: GroupPlace) => string, what: string): Promise<void> {
    const { booked, waiting } = await this.d.store.places(s.id);
    for (const p of [...booked, ...waiting])
      await this.d.outbox.send(
        p.conversationId,
        { text: text(p) },
        'event',
        `grp:${s.id}:${p.memberId}:${what}:v${s.version}`,
        { essential: true },
      );
  }

  /** Tells each promoted young person they have a place, with the safety talk and expectations. */
  private async promote(s: GroupSession, memberIds: string[]): Promise<void> {
    for (const memberId of memberIds) {
      const p = await this.d.store.place(s.id, memberId);
      if (!p) continue;
      const optedOut = await this.optedOut(p.conversationId);
      await this.d.outbox.sendAll(
        p.conversationId,
        [
          {
            text: bookedText(s, p.name, this.d.timezone, this.d.linkMinutesBefore, this.d.words, {
              promoted: true,
              optedOut,
            }),
          },
          { text: beforeYouJoinText(this.d.words) },
        ],
        'event',
        `grp:${s.id}:${memberId}:promoted:${p.signedUpAt}`,
        { essential: true },
      );
      this.d.log.info({ groupId: s.id }, 'waiting list place given');
      this.emit({ type: 'promoted', groupId: s.id });
    }
  }

  private jobsFor(s: GroupSession): { id: string; data: GroupTaskJob }[] {
    const jobs: { id: string; data: GroupTaskJob }[] = this.d.reminderOffsetsMinutes.map((offset) => ({
      id: jobId('grp-remind', s.id, String(s.at), String(offset)),
      data: { groupId: s.id, at: s.at, kind: 'reminder', offsetMinutes: offset },
    }));
    jobs.push({
      id: jobId('grp-link', s.id, String(s.at)),
      data: { groupId: s.id, at: s.at, kind: 'link', offsetMinutes: this.d.linkMinutesBefore },
    });
    return jobs;
  }

  /** One delayed job per reminder offset and one for the link; a time already passed is skipped. */
  private async queueMessages(s: GroupSession): Promise<void> {
    const now = this.now();
    for (const j of this.jobsFor(s)) {
      // A reminder at or inside the link's window would repeat the link: the link message is it.
      if (j.data.kind === 'reminder' && j.data.offsetMinutes <= this.d.linkMinutesBefore) continue;
      const fireAt = s.at - j.data.offsetMinutes * 60_000;
      if (fireAt <= now && j.data.kind === 'reminder') continue;
      await this.d.tasks.add(GROUP_TASK, j.data, { jobId: j.id, delay: Math.max(0, Math.round(fireAt - now)) });
    }
  }

  private async removeMessages(s: GroupSession): Promise<void> {
    for (const j of this.jobsFor(s)) {
      const job = await this.d.tasks.getJob(j.id);
      // An active job cannot be removed; the handler checks the session, so a stale one is harmless.
      if (job) await job.remove().catch(() => undefined);
    }
  }

  /** The task: a reminder or the link to everyone booked, if the session is still on at that time. */
  private async beforeSession(data: GroupTaskJob): Promise<void> {
    const s = await this.d.store.get(data.groupId);
    if (!s || s.status !== 'scheduled' || s.at !== data.at) return;
    const now = this.now();
    if (now >= s.at + s.minutes * 60_000) return;
    const { booked } = await this.d.store.places(s.id);
    for (const p of booked) {
      if (await this.optedOut(p.conversationId)) {
        await this.d.store.updatePlace(s.id, p.memberId, (x) => ({
          ...x,
          notDelivered: `${data.kind === 'link' ? 'the link' : `reminder ${data.offsetMinutes} minutes before`}: not sent, they said "stop"`,
        }));
        continue;
      }
      const text =
        data.kind === 'link'
          ? linkText(s, now, this.d.timezone, this.d.words)
          : reminderText(s, now, this.d.timezone, this.d.linkMinutesBefore, this.d.words);
      await this.d.outbox.send(
        p.conversationId,
        { text },
        'event',
        `grp:${s.id}:${p.memberId}:${data.kind}:${s.at}:${data.offsetMinutes}`,
      );
    }
    this.d.log.info({ groupId: s.id, kind: data.kind, to: booked.length }, 'group session message sent');
  }
}

/** The first word of a name: staff lists and messages use first names or pseudonyms only. */
export function firstName(name: string): string {
  return (name.trim().split(/\s+/)[0] ?? '').slice(0, 40) || 'there';
}
