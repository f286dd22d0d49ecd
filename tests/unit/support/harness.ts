import { randomUUID } from 'node:crypto';
import type { MemberWithLinks } from '../../../src/domain/members/store';
import { hashJoinCode, newJoinCode, normaliseJoinCode } from '../../../src/domain/members/join-code';
import type { MemberRef } from '../../../src/domain/members/types';
import { createLogger } from '../../../src/common/logger';
import { Engine, type ConversationGuard } from '../../../src/engine/engine';
import type { NamedFlow } from '../../../src/engine/flow';
import { Keys } from '../../../src/engine/keys';
import type { Choice, InboundJob, OutboundMessage, SendPurpose } from '../../../src/engine/message';
import type { AlertsPort, FlowSettings, MembersPort, RequestsPort, Services } from '../../../src/engine/services';
import type { ConversationState } from '../../../src/engine/state';
import { buildFlows } from '../../../src/flows';
import { loadSafetyContent } from '../../../src/flows/online-safety/content';
import { defaultScreen } from '../../../src/safeguarding';
import { OfficeHours } from '../../../src/common/office-hours';
import type { ConversationPort } from '../../../src/domain/conversations/service';

/**
 * Flows driven in memory, as botbuilder's TestAdapter does: the real engine, the real flows and
 * the real safeguarding screen, over an in-memory channel, state, guard and outbound queue. No
 * Redis, no HTTP, no BullMQ. `await chat.send('join ABC'); chat.expectReply(/Welcome/)`.
 * The end-to-end tests (tests/flows, tests/core) keep driving a whole Haven over Redis and HTTP.
 */

/** One message Haven sent, as the in-memory channel received it. */
export interface SentMessage extends OutboundMessage {
  conversationId: string;
  purpose: SendPurpose;
}

/** State kept as Redis would keep it: serialised, so a flow cannot hold on to a live object. */
class MemoryStates {
  private readonly byId = new Map<string, string>();
  async load(conversationId: string): Promise<ConversationState | null> {
    const raw = this.byId.get(conversationId);
    return raw ? (JSON.parse(raw) as ConversationState) : null;
  }
  async save(conversationId: string, state: ConversationState): Promise<void> {
    this.byId.set(conversationId, JSON.stringify(state));
  }
  /** Forgets a conversation's state (as its TTL would). */
  expire(conversationId: string): void {
    this.byId.delete(conversationId);
  }
}

/** One message at a time per conversation (a promise chain), each message id once. */
class MemoryGuard implements ConversationGuard {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly done = new Set<string>();
  async lock(conversationId: string): Promise<() => Promise<void>> {
    const before = this.tails.get(conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    this.tails.set(
      conversationId,
      before.then(() => mine),
    );
    await before;
    return async () => release();
  }
  async handled(channel: string, messageId: string): Promise<boolean> {
    return this.done.has(`${channel}:${messageId}`);
  }
  async markHandled(channel: string, messageId: string): Promise<void> {
    this.done.add(`${channel}:${messageId}`);
  }
}

/** The outbound queue in memory: the engine's replies, in order, for the in-memory channel. */
class MemoryOutbox {
  readonly sent: SentMessage[] = [];
  private readonly keys = new Set<string>();
  async sendAll(conversationId: string, messages: OutboundMessage[], purpose: SendPurpose, key?: string) {
    // As the real outbox's stable job id does: a retried message's replies are queued once.
    if (key && this.keys.has(key)) return;
    if (key) this.keys.add(key);
    for (const m of messages) this.sent.push({ ...m, conversationId, purpose });
  }
}

/** Members and join codes in memory, with the same outcomes as the Redis store. */
export class MemoryMembers implements MembersPort {
  private readonly members = new Map<string, MemberWithLinks>();
  private readonly codes = new Map<string, { memberId: string; expiresAt: number }>();
  private readonly used = new Set<string>();
  private readonly links = new Map<string, string>();
  constructor(
    private readonly now: () => number,
    private readonly ttlDays: number,
  ) {}

  /** Registers a member; returns their join code. */
  add(name: string, consentBy = 'a parent'): { memberId: string; joinCode: string } {
    const id = randomUUID();
    const joinCode = newJoinCode();
    const expiresAt = this.now() + this.ttlDays * 24 * 3600 * 1000;
    this.members.set(id, {
      id,
      name,
      consentBy,
      consentAt: this.now(),
      addedBy: 'test',
      createdAt: this.now(),
      joinCodeExpiresAt: expiresAt,
      links: [],
    });
    this.codes.set(hashJoinCode(joinCode, 'memory'), { memberId: id, expiresAt });
    return { memberId: id, joinCode };
  }

  async forConversation(conversationId: string): Promise<MemberRef | null> {
    const m = this.members.get(this.links.get(conversationId) ?? '');
    return m ? { id: m.id, name: m.name } : null;
  }

  async redeem(typed: string, conversationId: string): ReturnType<MembersPort['redeem']> {
    const code = normaliseJoinCode(typed);
    if (!code) return { outcome: 'malformed' };
    const hash = hashJoinCode(code, 'memory');
    if (this.used.has(hash)) return { outcome: 'used' };
    const found = this.codes.get(hash);
    if (!found) return { outcome: 'invalid' };
    if (found.expiresAt <= this.now()) return { outcome: 'expired' };
    const m = this.members.get(found.memberId);
    if (!m) return { outcome: 'invalid' };
    this.codes.delete(hash);
    this.used.add(hash);
    this.links.set(conversationId, m.id);
    m.links.push(conversationId);
    delete m.joinCodeExpiresAt;
    return { outcome: 'linked', member: { id: m.id, name: m.name } };
  }

  async get(memberId: string): Promise<MemberWithLinks | null> {
    return this.members.get(memberId) ?? null;
  }

  async unlinkAll(memberId: string): Promise<string[]> {
    const m = this.members.get(memberId);
    if (!m) return [];
    for (const c of m.links) this.links.delete(c);
    const gone = m.links;
    m.links = [];
    return gone;
  }

  async remove(memberId: string): Promise<string[] | null> {
    if (!this.members.has(memberId)) return null;
    const links = await this.unlinkAll(memberId);
    this.members.delete(memberId);
    return links;
  }
}

/** No one-to-one requests in memory: asking for one fails loudly (those flows are tested end to end). */
function noRequests(): RequestsPort {
  const unsupported = async (): Promise<never> => {
    throw new Error('one-to-one requests are not in the in-memory harness: test them end to end');
  };
  return {
    openRequestFor: async () => null,
    position: async () => null,
    create: unsupported,
    change: unsupported,
    cancelByYoungPerson: unsupported,
    eraseMember: async () => 0,
    notifyDataDeleted: async () => undefined,
  };
}

/**
 * The staff inbox is not in the in-memory harness (threads live in Redis): nothing is ever open, so
 * the inbox flows pass every message on; opening one fails clearly. Test the inbox end to end.
 */
function noConversations(settings: FlowSettings): ConversationPort {
  const unsupported = async (): Promise<never> => {
    throw new Error('the staff inbox is not in the in-memory harness: test it end to end');
  };
  const hours = new OfficeHours(settings.officeHours, settings.timezone);
  return {
    retentionDays: 30,
    current: async () => null,
    open: unsupported,
    recordTurn: unsupported,
    takePendingStaffMessage: async () => null,
    hasPendingStaffMessage: async () => false,
    keptFor: async () => 0,
    erase: async () => 0,
    whenRead: (at = new Date()) => ({ open: hours.isOpen(at), next: hours.nextOpening(at) }),
  };
}

/** Options for {@link createHarness}. */
export interface HarnessOptions {
  /** The flows (default: Haven's own, with the bundled online-safety content). */
  flows?: NamedFlow[];
  /** The clock the flows see (default: the real one). */
  now?: () => Date;
  settings?: Partial<FlowSettings>;
  /** The channel name the in-memory channel uses (default `webchat`). */
  channel?: string;
}

/** The in-memory Haven one or more {@link TestChat}s talk to. */
export interface Harness {
  members: MemoryMembers;
  states: MemoryStates;
  /** Every message sent, to anyone, in order. */
  sent: SentMessage[];
  /** Alerts the screen raised (as ingest would have): the conversation and the screen's category. */
  alerts: { conversationId: string; category: string | null }[];
  /** A new person on the in-memory channel. */
  chat(): TestChat;
}

/** Builds an in-memory Haven: engine, flows and screen real; channel, state and queues in memory. */
export function createHarness(opts: HarnessOptions = {}): Harness {
  const clock = opts.now ?? (() => new Date());
  const channel = opts.channel ?? 'webchat';
  const settings: FlowSettings = {
    charityName: 'Young Carers Together',
    officeHours: 'Mon-Fri 09:00-17:00',
    timezone: 'Europe/London',
    joinCodeTtlDays: 14,
    refresherDays: 60,
    ...opts.settings,
  };
  const members = new MemoryMembers(() => clock().getTime(), settings.joinCodeTtlDays);
  const states = new MemoryStates();
  const outbox = new MemoryOutbox();
  const alertsRaised: Harness['alerts'] = [];
  const alerts: AlertsPort = { isStaff: () => false, acknowledge: async () => null, openAlertIdsFor: async () => [] };
  const services: Services = {
    members,
    requests: noRequests(),
    alerts,
    conversations: noConversations(settings),
    settings,
  };
  const engine = new Engine({
    guard: new MemoryGuard(),
    keys: new Keys('memory'),
    states,
    outbox,
    services,
    flows:
      opts.flows ?? buildFlows({ safety: loadSafetyContent(), stateDays: 30, requestDays: 90, preferencesDays: 365 }),
    log: createLogger({ level: 'silent', pretty: false }),
    handledTtlSeconds: 3600,
    now: clock,
  });
  const screen = defaultScreen();
  const inbound: InboundJob[] = [];
  /** The inbound queue in memory: jobs are taken in order, one at a time, as a worker would. */
  let draining: Promise<void> = Promise.resolve();
  const enqueue = (job: InboundJob) => {
    inbound.push(job);
    draining = draining.then(async () => {
      const next = inbound.shift();
      if (next) await engine.handle(next);
    });
    return draining;
  };

  return {
    members,
    states,
    sent: outbox.sent,
    alerts: alertsRaised,
    chat: () => {
      const conversationId = `${channel}.${randomUUID()}`;
      let read = 0;
      let last: InboundJob | undefined;
      const mine = () => outbox.sent.filter((m) => m.conversationId === conversationId);
      const deliver = async (kind: InboundJob['kind'], text: string, payload?: string) => {
        const result = text.trim()
          ? screen.screen(text)
          : { alert: false, category: null, severity: null, matched: [] };
        let alertId: string | undefined;
        if (result.alert) {
          alertId = randomUUID();
          alertsRaised.push({ conversationId, category: result.category });
        }
        const at = clock().getTime();
        last = {
          channel,
          messageId: randomUUID(),
          conversationId,
          kind,
          text,
          payload,
          sentAt: at,
          acceptedAt: at,
          screen: result,
          alertId,
        };
        await enqueue(last);
      };
      const chat: TestChat = {
        conversationId,
        send: (text) => deliver('text', text),
        tap: async (choice) => deliver('choice', choice.title, choice.payload),
        start: () => deliver('start', ''),
        redeliver: async () => {
          if (!last) throw new Error('nothing sent yet');
          await enqueue({ ...last });
        },
        replies: () => mine().slice(read),
        expectReply(pattern) {
          const next = mine()[read];
          if (!next) throw new Error(`expected a reply matching ${String(pattern)}, but Haven said nothing more`);
          read++;
          if (!pattern.test(next.text))
            throw new Error(`expected a reply matching ${String(pattern)}, got:\n${next.text}`);
          return next;
        },
        expectNoMoreReplies() {
          const rest = mine().slice(read);
          if (rest.length)
            throw new Error(`expected no more replies, got:\n${rest.map((r) => r.text).join('\n---\n')}`);
        },
      };
      return chat;
    },
  };
}

/** One person talking to the in-memory Haven. */
export interface TestChat {
  conversationId: string;
  /** Sends text and waits until Haven has handled it (its replies are then ready to read). */
  send(text: string): Promise<void>;
  /** Taps an offered choice (a quick reply or button). */
  tap(choice: Choice): Promise<void>;
  /** Opens the conversation without saying anything (Get Started). */
  start(): Promise<void>;
  /** The queue delivers the last message again (a retried job): it must not be answered twice. */
  redeliver(): Promise<void>;
  /** The replies not yet read by {@link expectReply}. */
  replies(): SentMessage[];
  /** Reads the next reply and checks it; returns it (its choices, purpose). */
  expectReply(pattern: RegExp): SentMessage;
  expectNoMoreReplies(): void;
}
