import { errorFields } from '../../common/errors';
import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import { IdentityVault } from '../../engine/identity';
import type { Logger } from '../../common/logger';
import type { MeetingPlatform } from '../../common/meeting';
import type { Outbox } from '../../engine/outbox';
import { jobId } from '../../engine/queues';
import type { TaskHandlers } from '../../engine/tasks';
import { COORDINATOR_TASK, type CoordinatorNotice, type CoordinatorNotifier, type DeletedBy } from './notify';
import type { RequestStore } from './store';
import { formatSessionTime, sessionConfirmation, sessionReminder } from './texts';
import {
  OPEN_STATUSES,
  RequestError,
  type OneToOneRequest,
  type RequestAnswers,
  type RequestChange,
  type RequestEvent,
  type RequestStatus,
} from './types';

/** Job name on the `tasks` queue for a reminder before a session. */
export const REMINDER_TASK = 'session-reminder';

/** Job data for {@link REMINDER_TASK}. */
export interface ReminderJob {
  requestId: string;
  /** The session start this reminder was made for; a moved session makes it stale. */
  sessionAt: number;
  offsetMinutes: number;
}

/** What the {@link RequestService} needs. */
export interface RequestServiceDeps {
  store: RequestStore;
  notifier: CoordinatorNotifier;
  /** The `tasks` queue (coordinator notifications and reminders). */
  tasks: Queue;
  outbox: Outbox;
  log: Logger;
  /** IANA time zone for times told to young people (TIMEZONE). */
  timezone: string;
  /** Minutes before a session to remind (REMINDER_OFFSETS_MINUTES). */
  reminderOffsetsMinutes: number[];
  /** The online-safety words for a session on a platform (from the online-safety content). */
  safetyReminder: (platform: MeetingPlatform) => string;
  /** True when the young person said "stop" (reminders are then not sent, and staff are shown so). */
  optedOut?: (conversationId: string) => Promise<boolean>;
  /** The clock (tests control it). */
  now?: () => number;
}

/** Listener for {@link RequestService.onChange}. */
export type RequestListener = (change: RequestChange) => void;

/** What a young person's request starts from. */
export interface NewRequest extends RequestAnswers {
  memberId: string;
  memberName: string;
  conversationId: string;
}

/** Who did something when it was the young person rather than staff. */
export const YOUNG_PERSON = 'young person';

/**
 * The coordinator's queue of one-to-one requests: the young person's side (create, change,
 * cancel, status) and the staff side (claim, assign, schedule, message, close), with reminders
 * and coordinator notifications as jobs on the `tasks` queue. Every change is recorded in the
 * request's history with who and when, and announced to {@link onChange} listeners.
 */
export class RequestService {
  private readonly listeners = new Set<RequestListener>();
  private readonly now: () => number;

  constructor(private readonly d: RequestServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The store, for reads the service does not wrap. */
  get store(): RequestStore {
    return this.d.store;
  }

  /** Hears of every change made through this service (in this process); returns an unsubscribe function. */
  onChange(listener: RequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: RequestChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.d.log.warn({ err: errorFields(err) }, 'request listener failed');
      }
    }
  }

  /** Handlers for the `tasks` queue: register them in main.ts. */
  taskHandlers(): TaskHandlers {
    return {
      [COORDINATOR_TASK]: (data, job) => this.d.notifier.deliver(data as CoordinatorNotice, String(job.id)),
      [REMINDER_TASK]: (data, job) => this.remind(data as ReminderJob, job),
    };
  }

  // ----- young person's side -----

  /**
   * Queues a young person's request and tells the coordinator. When the member already has an
   * open request, nothing is queued and `created` is false with that request.
   */
  async create(input: NewRequest): Promise<{ created: boolean; request: OneToOneRequest; position: number | null }> {
    const now = this.now();
    const request: OneToOneRequest = {
      id: randomUUID(),
      memberId: input.memberId,
      memberName: input.memberName,
      conversationId: input.conversationId,
      channel: IdentityVault.channelOf(input.conversationId),
      platform: input.platform,
      when: input.when,
      workers: input.workers,
      note: input.note || undefined,
      askedFor: input.askedFor || undefined,
      status: 'new',
      createdAt: now,
      updatedAt: now,
      version: 1,
      workersAssigned: [],
    };
    const out = await this.d.store.create(request, { at: now, event: 'created', by: YOUNG_PERSON });
    if (!out.created) {
      const existing = (await this.d.store.get(out.existingId)) as OneToOneRequest;
      return { created: false, request: existing, position: await this.d.store.position(existing.id) };
    }
    await this.notify({ kind: 'new_request', requestId: request.id }, `${request.id}:new`);
    this.d.log.info({ requestId: request.id, channel: request.channel }, 'one-to-one request queued');
    this.emit({ type: 'created', requestId: request.id, status: 'new' });
    return { created: true, request, position: await this.d.store.position(request.id) };
  }

  /** The young person changes their answers (only before a session is arranged). */
  async change(id: string, answers: Partial<RequestAnswers>): Promise<OneToOneRequest> {
    const { after } = await this.update(
      id,
      (r) => {
        if (r.status !== 'new' && r.status !== 'claimed')
          throw new RequestError('WRONG_STATE', 'this request can no longer be changed');
        return { ...r, ...answers, note: answers.note === '' ? undefined : (answers.note ?? r.note) };
      },
      YOUNG_PERSON,
      'changed',
      () => `changed: ${Object.keys(answers).join(', ')}`,
    );
    await this.notify({ kind: 'request_changed', requestId: id }, `${id}:v${after.version}`);
    return after;
  }

  /** The young person cancels their own request: reminders removed, coordinator told. */
  async cancelByYoungPerson(id: string): Promise<OneToOneRequest> {
    const after = await this.close(id, 'cancelled', YOUNG_PERSON, { tellYoungPerson: false });
    await this.notify({ kind: 'request_cancelled', requestId: id }, `${id}:cancelled`);
    return after;
  }

  /** The member's open request, or null. */
  async openRequestFor(memberId: string): Promise<OneToOneRequest | null> {
    const id = await this.d.store.openIdFor(memberId);
    return id ? this.d.store.get(id) : null;
  }

  /** Place in the queue (1 = next) while new or claimed; null once scheduled or closed. */
  position(id: string): Promise<number | null> {
    return this.d.store.position(id);
  }

  // ----- staff side -----

  /** One request, or null. */
  get(id: string): Promise<OneToOneRequest | null> {
    return this.d.store.get(id);
  }

  /** A request's history (who did what, when), oldest first. */
  history(id: string): Promise<RequestEvent[]> {
    return this.d.store.history(id);
  }

  /** Requests, oldest first; default the open ones (new, claimed, scheduled). */
  list(filter: { status?: RequestStatus[]; limit?: number } = {}): Promise<OneToOneRequest[]> {
    return this.d.store.list(filter);
  }

  /** A youth worker or the coordinator takes a new request. */
  async claim(id: string, by: string): Promise<OneToOneRequest> {
    const { after } = await this.update(
      id,
      (r) => {
        if (r.status !== 'new') throw new RequestError('WRONG_STATE', `request is ${r.status}, not new`);
        return { ...r, status: 'claimed', claimedBy: by };
      },
      by,
      'claimed',
    );
    return after;
  }

  /**
   * Names the one or two youth workers who will meet the young person; `workerIds`, when they
   * were chosen from staff accounts, are their account ids in the same order.
   */
  async assign(id: string, workers: string[], by: string, workerIds?: string[]): Promise<OneToOneRequest> {
    const names = cleanWorkers(workers);
    const ids = cleanWorkerIds(workerIds, names);
    const { after } = await this.update(
      id,
      (r) => {
        this.mustBeOpen(r);
        return {
          ...r,
          workersAssigned: names,
          workerIds: ids,
          claimedBy: r.claimedBy ?? by,
          status: r.status === 'new' ? 'claimed' : r.status,
        };
      },
      by,
      'assigned',
      () => names.join(', '),
    );
    return after;
  }

  /**
   * Sets (or moves) the session: the young person is told the time (in the charity's time
   * zone), place and who, with the online-safety reminder for the platform, and the reminders
   * before it are (re)queued. `workers`, when given, assigns them first.
   */
  async schedule(
    id: string,
    input: { at: Date; place: string; workers?: string[]; workerIds?: string[] },
    by: string,
  ): Promise<OneToOneRequest> {
    const at = input.at.getTime();
    if (!Number.isFinite(at)) throw new RequestError('INVALID', 'the session time is not a valid date');
    if (at <= this.now()) throw new RequestError('INVALID', 'the session time is in the past');
    const place = input.place.trim();
    if (!place)
      throw new RequestError('INVALID', 'say where the session is (a link, or e.g. "we\'ll call you on WhatsApp")');
    if (place.length > 500) throw new RequestError('INVALID', 'the place is too long (500 characters at most)');
    const names = input.workers ? cleanWorkers(input.workers) : undefined;
    const ids = names ? cleanWorkerIds(input.workerIds, names) : undefined;
    const { before, after } = await this.update(
      id,
      (r) => {
        this.mustBeOpen(r);
        const workersAssigned = names ?? r.workersAssigned;
        if (!workersAssigned.length)
          throw new RequestError('INVALID', 'assign one or two youth workers before scheduling');
        return {
          ...r,
          status: 'scheduled',
          claimedBy: r.claimedBy ?? by,
          workersAssigned,
          workerIds: names ? ids : r.workerIds,
          session: { at, place },
        };
      },
      by,
      'scheduled',
      (r) => `${formatSessionTime(at, this.d.timezone)} at ${place} with ${r.workersAssigned.join(', ')}`,
    );
    // A session already booked is being moved: told as a move, not as a new booking.
    const moved = before.status === 'scheduled';
    const text = sessionConfirmation(after, after.session!, this.d.timezone, this.d.safetyReminder(after.platform), {
      moved,
    });
    await this.d.outbox.send(after.conversationId, { text }, 'staff', `req:${id}:v${after.version}`);
    await this.queueReminders(after);
    this.d.log.info({ requestId: id, moved }, 'session scheduled');
    return after;
  }

  /** Sends the young person a message from staff (a human: Messenger's HUMAN_AGENT rule applies). */
  async message(id: string, text: string, by: string): Promise<OneToOneRequest> {
    const body = text.trim();
    if (!body) throw new RequestError('INVALID', 'the message is empty');
    if (body.length > 2000) throw new RequestError('INVALID', 'the message is too long (2,000 characters at most)');
    const { after } = await this.update(
      id,
      (r) => r,
      by,
      'messaged',
      () => body,
    );
    await this.d.outbox.send(
      after.conversationId,
      { text: `From ${by} (youth worker):\n${body}` },
      'staff',
      `req:${id}:v${after.version}`,
    );
    return after;
  }

  /**
   * Closes a request as done or cancelled; pending reminders are removed. When staff cancel,
   * the young person is told kindly (unless `tellYoungPerson` is false), with staff's `reason`
   * in their words when one is given (it is also kept in the request's history).
   */
  async close(
    id: string,
    outcome: 'done' | 'cancelled',
    by: string,
    opts: { tellYoungPerson?: boolean; reason?: string } = {},
  ): Promise<OneToOneRequest> {
    const reason = opts.reason?.trim() || undefined;
    if (reason && reason.length > 500)
      throw new RequestError('INVALID', 'the reason is too long (500 characters at most)');
    const { after } = await this.update(
      id,
      (r) => {
        this.mustBeOpen(r);
        return { ...r, status: outcome, outcome, closedAt: this.now() };
      },
      by,
      'closed',
      () => (reason ? `${outcome}: ${reason}` : outcome),
    );
    await this.removeReminders(id);
    if (outcome === 'cancelled' && opts.tellYoungPerson !== false && by !== YOUNG_PERSON) {
      await this.d.outbox.send(
        after.conversationId,
        {
          text: reason
            ? `A youth worker has cancelled your one-to-one. They said:\n"${reason}"\n\nIf you would still like to talk, just ask me again any time.`
            : 'A youth worker has closed your one-to-one request. If you would still like to talk, just ask me again any time.',
        },
        'staff',
        `req:${id}:v${after.version}`,
      );
    }
    return after;
  }

  // ----- data deletion -----

  /**
   * Deletes every request of a member (cancelling open ones and removing their reminders),
   * for "delete my data" and `members remove`. Returns how many were deleted.
   */
  async eraseMember(memberId: string): Promise<number> {
    let n = 0;
    for (const id of await this.d.store.idsOf(memberId)) {
      const r = await this.d.store.get(id);
      await this.removeReminders(id);
      if (r) {
        await this.d.store.delete(r);
        n++;
        this.emit({ type: 'deleted', requestId: id });
      }
    }
    return n;
  }

  /** Tells the coordinator that a member's data was deleted, and who had it done (default: the young person). */
  async notifyDataDeleted(memberName: string, by: DeletedBy = { kind: 'young_person' }): Promise<void> {
    const at = this.now();
    await this.notify({ kind: 'data_deleted', memberName, at, by }, `deleted:${randomUUID()}`);
  }

  // ----- internals -----

  private mustBeOpen(r: OneToOneRequest): void {
    if (!OPEN_STATUSES.includes(r.status)) throw new RequestError('WRONG_STATE', `request is already ${r.status}`);
  }

  private async update(
    id: string,
    change: (r: OneToOneRequest) => OneToOneRequest,
    by: string,
    event: RequestEvent['event'],
    detail?: (r: OneToOneRequest) => string,
  ) {
    const now = this.now();
    // Scheduling a session already booked moves it: recorded and announced as such.
    const named = (before: OneToOneRequest) =>
      event === 'scheduled' && before.status === 'scheduled' ? 'rescheduled' : event;
    const out = await this.d.store.update(
      id,
      (r) => ({ ...change(r), updatedAt: now }),
      (r, before) => ({ at: now, event: named(before), by, detail: detail?.(r) }),
    );
    this.emit({ type: named(out.before), requestId: id, status: out.after.status });
    return out;
  }

  private async notify(notice: CoordinatorNotice, key: string): Promise<void> {
    await this.d.tasks.add(COORDINATOR_TASK, notice, { jobId: jobId('coord', key) });
  }

  private reminderJobId(requestId: string, offset: number): string {
    return jobId('reminder', requestId, String(offset));
  }

  /** Removes, then adds, one delayed job per offset; a reminder whose time has passed is skipped. */
  private async queueReminders(r: OneToOneRequest): Promise<void> {
    await this.removeReminders(r.id);
    const session = r.session!;
    const now = this.now();
    for (const offset of this.d.reminderOffsetsMinutes) {
      const fireAt = session.at - offset * 60_000;
      if (fireAt <= now) continue;
      const data: ReminderJob = { requestId: r.id, sessionAt: session.at, offsetMinutes: offset };
      await this.d.tasks.add(REMINDER_TASK, data, {
        jobId: this.reminderJobId(r.id, offset),
        delay: Math.round(fireAt - now),
      });
    }
  }

  private async removeReminders(requestId: string): Promise<void> {
    for (const offset of this.d.reminderOffsetsMinutes) {
      const job = await this.d.tasks.getJob(this.reminderJobId(requestId, offset));
      // An active job cannot be removed; the handler checks the session, so a stale one is harmless.
      if (job) await job.remove().catch(() => undefined);
    }
  }

  /**
   * Records that a message sent for a request (its `cause` is `req:{id}:...` or
   * `reminder:{id}:...`) could not be delivered, so staff see it on the request and can reach the
   * young person another way. Other causes are ignored.
   */
  async recordUndelivered(cause: string | undefined, reason: string): Promise<void> {
    const id = /^(?:req|reminder):([^:]+):/.exec(cause ?? '')?.[1];
    if (id) await this.noteNotDelivered(id, reason.slice(0, 200));
  }

  /** Adds a `not_delivered` line to a request's history (the request itself is unchanged). */
  private async noteNotDelivered(id: string, detail: string): Promise<void> {
    try {
      const { after } = await this.d.store.update(
        id,
        (r) => r,
        () => ({ at: this.now(), event: 'not_delivered', by: 'haven', detail }),
      );
      this.emit({ type: 'not_delivered', requestId: id, status: after.status });
    } catch (err) {
      // The request was deleted meanwhile (erasure): nothing left to note it on.
      if (!(err instanceof RequestError && err.code === 'NOT_FOUND')) throw err;
    }
  }

  /** True when the young person behind a conversation said "stop" (false when unknown). */
  async optedOut(conversationId: string): Promise<boolean> {
    return this.d.optedOut ? this.d.optedOut(conversationId).catch(() => false) : false;
  }

  /** The reminder task: sends the reminder if the session is still on at the same time. */
  private async remind(data: ReminderJob, _job: Job): Promise<void> {
    const r = await this.d.store.get(data.requestId);
    if (!r || r.status !== 'scheduled' || r.session?.at !== data.sessionAt) return;
    const now = this.now();
    if (now >= r.session.at) return;
    if (await this.optedOut(r.conversationId)) {
      // Recorded as it happened: staff must not think a reminder went when it did not.
      await this.noteNotDelivered(r.id, `reminder ${data.offsetMinutes} minutes before: not sent, they said "stop"`);
      return;
    }
    const text = sessionReminder(r, r.session, now, this.d.timezone, this.d.safetyReminder(r.platform));
    await this.d.outbox.send(
      r.conversationId,
      { text },
      'event',
      `reminder:${r.id}:${data.sessionAt}:${data.offsetMinutes}`,
    );
    await this.d.store.update(
      r.id,
      (x) => x,
      () => ({ at: now, event: 'reminded', by: 'haven', detail: `${data.offsetMinutes} minutes before` }),
    );
    this.emit({ type: 'reminded', requestId: r.id, status: r.status });
  }
}

/** Account ids matching `names` one for one, or undefined (names typed rather than chosen). */
function cleanWorkerIds(ids: string[] | undefined, names: string[]): string[] | undefined {
  if (!ids) return undefined;
  if (ids.length !== names.length || ids.some((i) => !/^[A-Za-z0-9-]{1,64}$/.test(i)))
    throw new RequestError('INVALID', 'choose each youth worker from the list');
  return ids;
}

function cleanWorkers(workers: string[]): string[] {
  const names = [...new Set(workers.map((w) => w.trim()).filter(Boolean))];
  if (names.length < 1 || names.length > 2) throw new RequestError('INVALID', 'name one or two youth workers');
  if (names.some((n) => n.length > 60)) throw new RequestError('INVALID', 'a worker name is too long');
  return names;
}
