import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from '../../common/logger';
import type { OfficeHours } from '../../common/office-hours';
import type { ChannelName } from '../../engine/message';
import type { Outbox } from '../../engine/outbox';
import { jobId } from '../../engine/queues';
import type { TaskHandlers } from '../../engine/tasks';
import type { ConversationStore } from './store';
import { inboxTexts } from './texts';
import {
  ConversationError,
  type ConversationChange,
  type Holder,
  type InboxConversation,
  type ThreadEntry,
  type Topic,
} from './types';
import { channelWindow, type ChannelWindow } from './window';

/** The tasks-queue job that hands an idle held conversation back to Haven. */
export const HANDBACK_TASK = 'inbox.handback';

/** What the conversation service needs. */
export interface ConversationServiceDeps {
  store: ConversationStore;
  /** The outbound queue: staff replies and hand-over notices go to the young person's own channel. */
  outbox: Outbox;
  /** The tasks queue, for the idle hand-back. */
  tasks: Queue;
  log: Logger;
  charityName: string;
  officeHours: OfficeHours;
  /** A wait longer than this, counted in office hours, shows as overdue and is offered to others (INBOX_REASSIGN_MINUTES). */
  reassignMinutes: number;
  /** A held conversation with no staff message for this long goes back to Haven (INBOX_HANDBACK_MINUTES). */
  handBackMinutes: number;
  /** When the young person last wrote on their channel (the engine's record), for the platform's window. */
  lastInboundAt: (conversationId: string) => Promise<number | undefined>;
  /** Deletes what the channel keeps for them to read later (the web chat's backlog). */
  eraseBacklog?: (conversationId: string) => Promise<void>;
  now?: () => number;
}

/** How the young person and their channel are named when a conversation opens. */
export interface OpenInput {
  conversationId: string;
  channel: ChannelName;
  topic: Topic;
  memberId?: string;
  memberName?: string;
  alertIds?: string[];
}

/** One message of a turn the engine handled, for the thread. */
export interface TurnRecord {
  text: string;
  /** An alert raised for it: the line then says so and its words stay with the alert. */
  alertId?: string;
  /** True when the message waits for a person (passed to the team, or said during hand-over). */
  forTeam: boolean;
  /** Haven's replies to it, in order. */
  replies: string[];
}

/** A row of the inbox list. */
export interface InboxRow {
  conversation: InboxConversation;
  unread: number;
  overdue: boolean;
  lastLine?: ThreadEntry;
}

/** What flows may do with the inbox (see flows/inbox). */
export type ConversationPort = Pick<
  ConversationService,
  | 'retentionDays'
  | 'current'
  | 'open'
  | 'recordTurn'
  | 'takePendingStaffMessage'
  | 'hasPendingStaffMessage'
  | 'keptFor'
  | 'erase'
  | 'whenRead'
>;

/**
 * The staff inbox: conversations opened by what a young person writes (a worry, a message Haven
 * has no answer for while something is open, asking for a person, a reply to staff), their threads,
 * and staff's side: take, assign, reply through the young person's own channel, hand back, close.
 * While a member of staff holds a conversation Haven's flows stay quiet for it (flows/inbox).
 */
export class ConversationService {
  private readonly listeners = new Set<(c: ConversationChange) => void>();
  private readonly now: () => number;

  constructor(private readonly d: ConversationServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  get retentionDays(): number {
    return Math.round(this.d.store.retentionSeconds / 86400);
  }

  get reassignMinutes(): number {
    return this.d.reassignMinutes;
  }

  onChange(listener: (c: ConversationChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: ConversationChange['type'], id: string): void {
    for (const l of this.listeners) {
      try {
        l({ type, id });
      } catch (err) {
        this.d.log.warn({ err: { message: (err as Error).message } }, 'conversation listener failed');
      }
    }
  }

  taskHandlers(): TaskHandlers {
    return { [HANDBACK_TASK]: async (data) => this.checkIdle(String((data as { id?: unknown }).id ?? '')) };
  }

  // ----- the young person's side (flows) -----

  current(conversationId: string): Promise<InboxConversation | null> {
    return this.d.store.current(conversationId);
  }

  /** The keys whose values {@link forTurn} takes, read by the engine with a message's lock. */
  turnKeys(conversationId: string): [by: string, staffMessage: string] {
    return this.d.store.turnKeys(conversationId);
  }

  /**
   * The inbox as one message's turn sees it, from the values of {@link turnKeys} read with its lock:
   * the flows ask whether a conversation is open (the hand-over, then the turn's record) and
   * whether staff left a message, and these answer from what was read instead of asking Redis
   * again. What the turn itself changes (opening, taking the staff message, erasing) is kept up.
   */
  forTurn(conversationId: string, read: readonly [by: string | null, staffMessage: string | null]): ConversationPort {
    return new TurnInbox(this, this.d.store, conversationId, read[0], read[1] !== null);
  }

  /** The channel conversation's open conversation, or a new one about `topic`. */
  async open(input: OpenInput): Promise<InboxConversation> {
    const existing = await this.d.store.current(input.conversationId);
    if (existing) {
      const extra = (input.alertIds ?? []).filter((a) => !existing.alertIds.includes(a));
      if (!extra.length) return existing;
      const out = await this.d.store.update(existing.id, (c) => ({ ...c, alertIds: [...c.alertIds, ...extra] }));
      return out?.after ?? existing;
    }
    const now = this.now();
    const c: InboxConversation = {
      id: randomUUID(),
      conversationId: input.conversationId,
      channel: input.channel,
      memberId: input.memberId,
      name: input.memberName ?? pseudonym(input.conversationId),
      topic: input.topic,
      alertIds: input.alertIds ?? [],
      status: 'open',
      openedAt: now,
      lastActivityAt: now,
      version: 1,
    };
    await this.d.store.create(c);
    this.d.log.info({ inboxId: c.id, topic: c.topic, channel: c.channel }, 'conversation opened in the staff inbox');
    this.emit('opened', c.id);
    return c;
  }

  /** Adds what the young person said and Haven's replies to the thread. */
  async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    const at = this.now();
    const entries: Omit<ThreadEntry, 'seq'>[] = [
      turn.alertId
        ? {
            at,
            from: 'event',
            text: 'Haven raised a safety alert for a message here and gave them the helplines. The words are kept with the alert.',
            alertId: turn.alertId,
          }
        : { at, from: 'young_person', text: turn.text },
      ...turn.replies.map((text) => ({ at, from: 'haven' as const, text })),
    ];
    await this.d.store.append(id, entries);
    await this.d.store.update(id, (c) => ({
      ...c,
      lastActivityAt: at,
      waitingSince: turn.forTeam || turn.alertId ? (c.waitingSince ?? at) : c.waitingSince,
      alertIds: turn.alertId && !c.alertIds.includes(turn.alertId) ? [...c.alertIds, turn.alertId] : c.alertIds,
    }));
    this.emit('message', id);
  }

  /** Remembers a message staff sent outside the inbox (from a request), so the answer lands in a thread. */
  async noteStaffMessage(conversationId: string, by: string, text: string): Promise<void> {
    await this.d.store.setPendingStaffMessage(conversationId, { by, text, at: this.now() }, 7 * 24 * 3600);
  }

  hasPendingStaffMessage(conversationId: string): Promise<boolean> {
    return this.d.store.hasPendingStaffMessage(conversationId);
  }

  /** Takes the pending staff message and puts it at the top of the conversation's thread. */
  async takePendingStaffMessage(id: string, conversationId: string): Promise<{ by: string } | null> {
    const m = await this.d.store.takePendingStaffMessage(conversationId);
    if (!m) return null;
    await this.d.store.append(id, [{ at: m.at, from: 'staff', text: m.text, by: m.by, delivery: 'sent' }]);
    return { by: m.by };
  }

  /** How many conversations are kept for these channel conversations. */
  async keptFor(conversationIds: string[]): Promise<number> {
    let n = 0;
    for (const cid of conversationIds) n += (await this.d.store.allFor(cid)).length;
    return n;
  }

  /** Deletes every thread of these channel conversations and what their channel keeps to show them later. */
  async erase(conversationIds: string[]): Promise<number> {
    let n = 0;
    for (const cid of conversationIds) {
      const ids = await this.d.store.eraseFor(cid);
      await this.d.eraseBacklog?.(cid);
      for (const id of ids) this.emit('erased', id);
      n += ids.length;
    }
    return n;
  }

  /** Whether staff are at work now, and if not, when they will next read messages ("tomorrow after 9am"). */
  whenRead(at = new Date(this.now())): { open: boolean; next: string } {
    return { open: this.d.officeHours.isOpen(at), next: this.d.officeHours.nextOpening(at) };
  }

  // ----- staff's side -----

  get(id: string): Promise<InboxConversation | null> {
    return this.d.store.get(id);
  }

  thread(id: string): Promise<ThreadEntry[]> {
    return this.d.store.thread(id);
  }

  /** Open conversations, newest activity first, with the viewer's unread count and whether each is overdue. */
  async list(staffId: string): Promise<InboxRow[]> {
    const rows: InboxRow[] = [];
    for (const id of await this.d.store.openIds()) {
      const c = await this.d.store.get(id);
      if (!c || c.status !== 'open') {
        await this.d.store.forget(id);
        continue;
      }
      const [thread, read] = await Promise.all([this.d.store.thread(id), this.d.store.readBy(id, staffId)]);
      rows.push({
        conversation: c,
        unread: thread.filter((e) => e.seq > read && e.from === 'young_person').length,
        overdue: this.isOverdue(c),
        lastLine: thread[thread.length - 1],
      });
    }
    return rows;
  }

  async markRead(id: string, staffId: string): Promise<void> {
    const thread = await this.d.store.thread(id);
    await this.d.store.markRead(id, staffId, thread.length);
  }

  /**
   * True when the young person has waited longer than INBOX_REASSIGN_MINUTES of office hours with
   * no staff answer: shown as overdue and offered to everyone, even while someone holds it.
   */
  isOverdue(c: InboxConversation, now = this.now()): boolean {
    if (c.waitingSince === undefined) return false;
    return officeMinutes(this.d.officeHours, c.waitingSince, now, this.d.reassignMinutes) >= this.d.reassignMinutes;
  }

  /** What the young person's channel allows staff to send now. */
  async window(c: InboxConversation): Promise<ChannelWindow> {
    return channelWindow(c.channel, await this.d.lastInboundAt(c.conversationId), this.now());
  }

  /** The member of staff takes the conversation: Haven goes quiet and tells the young person who they are talking to. */
  async take(id: string, staff: Holder): Promise<InboxConversation> {
    return this.hold(id, staff, staff.name, 'taken');
  }

  /** Gives the conversation to a named staff account. */
  async assign(id: string, to: Holder, by: string): Promise<InboxConversation> {
    return this.hold(id, to, by, 'assigned');
  }

  private async hold(id: string, to: Holder, by: string, event: 'taken' | 'assigned'): Promise<InboxConversation> {
    const now = this.now();
    const out = await this.d.store.update(id, (c) => {
      this.mustBeOpen(c);
      if (c.holder && c.holder.id !== to.id && event === 'taken' && !this.isOverdue(c, now))
        throw new ConversationError(
          'HELD',
          `${c.holder.name} is talking with them. It is offered to others once they have waited ${this.d.reassignMinutes} minutes (office hours) without an answer`,
        );
      return { ...c, holder: to, heldSince: now, lastStaffAt: now, lastActivityAt: now };
    });
    if (!out) throw new ConversationError('NOT_FOUND', 'there is no such conversation; it may have been deleted');
    const { before, after } = out;
    if (before.holder?.id === to.id) return after;
    const [seq] = await this.d.store.append(id, [
      {
        at: now,
        from: 'event',
        text:
          event === 'taken'
            ? `${to.name} took the conversation${before.holder ? ` from ${before.holder.name}` : ''}. Haven is quiet while they chat.`
            : `${by} gave the conversation to ${to.name}. Haven is quiet while they chat.`,
        by,
      },
    ]);
    await this.tell(after, inboxTexts.taken(to.name, this.d.charityName, this.d.handBackMinutes), seq!);
    await this.scheduleIdle(after);
    this.d.log.info({ inboxId: id, staffId: to.id, event }, 'conversation held by staff');
    this.emit(event, id);
    return after;
  }

  /**
   * Sends the young person a message from a member of staff, through their own channel, as
   * written by a person. Refused (nothing queued) when the channel's window would refuse it;
   * takes the conversation first if nobody holds it.
   */
  async reply(id: string, staff: Holder, text: string): Promise<number> {
    const body = text.trim();
    if (!body) throw new ConversationError('INVALID', 'the message is empty');
    if (body.length > 2000)
      throw new ConversationError('INVALID', 'the message is too long (2,000 characters at most)');
    const c = await this.d.store.get(id);
    if (!c) throw new ConversationError('NOT_FOUND', 'there is no such conversation; it may have been deleted');
    this.mustBeOpen(c);
    const win = await this.window(c);
    if (!win.canSend) throw new ConversationError('WINDOW', win.say);
    if (c.holder?.id !== staff.id) await this.take(id, staff);
    const now = this.now();
    const [seq] = await this.d.store.append(id, [
      { at: now, from: 'staff', text: body, by: staff.name, delivery: 'sent' },
    ]);
    const out = await this.d.store.update(id, (x) => ({
      ...x,
      lastStaffAt: now,
      lastActivityAt: now,
      waitingSince: undefined,
    }));
    await this.d.outbox.send(
      c.conversationId,
      { text: inboxTexts.staffMessage(staff.name, body) },
      'staff',
      causeOf(id, seq!),
    );
    if (out) await this.scheduleIdle(out.after);
    this.d.log.info({ inboxId: id, staffId: staff.id, seq }, 'staff reply queued');
    this.emit('staff', id);
    return seq!;
  }

  /** Haven answers again; the young person is told. The conversation stays open in the list. */
  async handBack(id: string, by: string, auto = false): Promise<InboxConversation> {
    const now = this.now();
    const out = await this.d.store.update(id, (c) => ({ ...c, holder: undefined, heldSince: undefined }));
    if (!out) throw new ConversationError('NOT_FOUND', 'there is no such conversation; it may have been deleted');
    const holder = out.before.holder;
    if (!holder) return out.after;
    const [seq] = await this.d.store.append(id, [
      {
        at: now,
        from: 'event',
        text: auto
          ? `Handed back to Haven: ${holder.name} had not written for ${this.d.handBackMinutes} minutes.`
          : `${by} handed the conversation back to Haven.`,
        by: auto ? 'haven' : by,
      },
    ]);
    await this.tell(
      out.after,
      auto ? inboxTexts.autoHandedBack(holder.name) : inboxTexts.handedBack(holder.name),
      seq!,
    );
    this.emit('handed_back', id);
    return out.after;
  }

  /** Closes the conversation (handing back first if held); its thread is kept CONVERSATION_RETENTION_DAYS. */
  async close(id: string, by: string): Promise<InboxConversation> {
    const c = await this.d.store.get(id);
    if (!c) throw new ConversationError('NOT_FOUND', 'there is no such conversation; it may have been deleted');
    if (c.status === 'closed') return c;
    if (c.holder) await this.handBack(id, by);
    const now = this.now();
    await this.d.store.append(id, [{ at: now, from: 'event', text: `${by} closed the conversation.`, by }]);
    const out = await this.d.store.update(id, (x) => ({
      ...x,
      status: 'closed',
      closedAt: now,
      closedBy: by,
      waitingSince: undefined,
    }));
    this.emit('closed', id);
    return out!.after;
  }

  /** The idle check: hands back a held conversation whose holder has not written for INBOX_HANDBACK_MINUTES. */
  async checkIdle(id: string): Promise<void> {
    const c = await this.d.store.get(id);
    if (!c || c.status !== 'open' || !c.holder) return;
    const dueAt = (c.lastStaffAt ?? c.heldSince ?? 0) + this.d.handBackMinutes * 60_000;
    if (this.now() < dueAt) {
      await this.scheduleIdle(c);
      return;
    }
    await this.handBack(id, 'haven', true);
  }

  /**
   * Marks a staff message (or hand-over notice) the platform refused, or that had no way to reach
   * them, as not delivered in its thread. Other causes are ignored.
   */
  async recordUndelivered(cause: string | undefined, reason: string): Promise<void> {
    const m = /^conv:([0-9a-f-]{36}):(\d+)$/.exec(cause ?? '');
    if (!m) return;
    const [, id, seq] = m as unknown as [string, string, string];
    const done = await this.d.store.setEntry(id, Number(seq), (e) => ({
      ...e,
      delivery: 'not_delivered',
      reason: reason.slice(0, 300),
    }));
    if (done) this.emit('not_delivered', id);
  }

  private mustBeOpen(c: InboxConversation): void {
    if (c.status !== 'open') throw new ConversationError('CLOSED', 'the conversation is closed');
  }

  /** Haven's notice to the young person (taken, handed back), tied to its thread line for delivery. */
  private async tell(c: InboxConversation, text: string, seq: number): Promise<void> {
    await this.d.outbox.send(c.conversationId, { text }, 'response', causeOf(c.id, seq));
  }

  private async scheduleIdle(c: InboxConversation): Promise<void> {
    if (!c.holder) return;
    const from = c.lastStaffAt ?? c.heldSince ?? this.now();
    const delay = Math.max(0, from + this.d.handBackMinutes * 60_000 - this.now());
    await this.d.tasks.add(
      HANDBACK_TASK,
      { id: c.id },
      { jobId: jobId('inbox-idle', c.id, String(from)), delay, removeOnComplete: true, removeOnFail: 100 },
    );
  }
}

/** The outbound job's cause for a line of a thread, so a refusal finds its way back to it. */
function causeOf(id: string, seq: number): string {
  return `conv:${id}:${seq}`;
}

/** "Visitor 3F2A": a stable pseudonym for someone who is not a member (from the pseudonymous id). */
export function pseudonym(conversationId: string): string {
  const tail = conversationId
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-4)
    .toUpperCase();
  return `Visitor ${tail}`;
}

/** Office-hours minutes between two instants (to about 15 minutes), stopping once `cap` is reached. */
export function officeMinutes(hours: OfficeHours, from: number, to: number, cap: number): number {
  let n = 0;
  for (let t = from; t < to && n < cap;) {
    // 5-minute steps while open; 15 while closed (a weekend is a few hundred checks, not thousands).
    const open = hours.isOpen(new Date(t));
    const step = open ? 5 : 15;
    if (open) n += Math.min(step, (to - t) / 60_000);
    t += step * 60_000;
  }
  return n;
}

/** One turn's view of the inbox (see {@link ConversationService.forTurn}); other conversations go to the service. */
class TurnInbox implements ConversationPort {
  private open_: Promise<InboxConversation | null> | undefined;

  constructor(
    private readonly service: ConversationService,
    private readonly store: ConversationStore,
    private readonly conversationId: string,
    private openId: string | null,
    private staffMessage: boolean,
  ) {}

  get retentionDays(): number {
    return this.service.retentionDays;
  }

  current(conversationId: string): Promise<InboxConversation | null> {
    if (conversationId !== this.conversationId) return this.service.current(conversationId);
    return (this.open_ ??= this.store.openOf(this.openId));
  }

  async open(input: OpenInput): Promise<InboxConversation> {
    const c = await this.service.open(input);
    if (input.conversationId === this.conversationId) this.open_ = Promise.resolve(c);
    return c;
  }

  async recordTurn(id: string, turn: TurnRecord): Promise<void> {
    // The record changes: read it again if asked after this.
    this.open_ = undefined;
    this.openId = id;
    await this.service.recordTurn(id, turn);
  }

  takePendingStaffMessage(id: string, conversationId: string): Promise<{ by: string } | null> {
    if (conversationId === this.conversationId) this.staffMessage = false;
    return this.service.takePendingStaffMessage(id, conversationId);
  }

  hasPendingStaffMessage(conversationId: string): Promise<boolean> {
    if (conversationId !== this.conversationId) return this.service.hasPendingStaffMessage(conversationId);
    return Promise.resolve(this.staffMessage);
  }

  keptFor(conversationIds: string[]): Promise<number> {
    return this.service.keptFor(conversationIds);
  }

  async erase(conversationIds: string[]): Promise<number> {
    if (conversationIds.includes(this.conversationId)) {
      this.open_ = Promise.resolve(null);
      this.openId = null;
      this.staffMessage = false;
    }
    return this.service.erase(conversationIds);
  }

  whenRead(at?: Date): { open: boolean; next: string } {
    return this.service.whenRead(at);
  }
}
