import { randomUUID } from 'node:crypto';
import { pickTypedChoice } from './choices';
import type { Redis } from 'ioredis';
import { composeFlows, type FlowContext, type NamedFlow, type ReplyEffect } from './flow';
import { deleteIfHeld } from '../common/held';
import { LuaScript } from '../common/script';
import type { Keys } from './keys';
import type { Logger } from '../common/logger';
import type { InboundJob } from './message';
import type { Metrics } from '../common/metrics';
import type { Outbox } from './outbox';
import type { Services } from './services';
import { newState, type ConversationState, type StateStore, type StateWrite } from './state';

/**
 * One message at a time per conversation, and each message id handled once. In Redis in Haven
 * (see {@link redisGuard}); in memory in flow tests.
 */
export interface ConversationGuard {
  /** Waits for the conversation's lock; resolves with its release. */
  lock(conversationId: string): Promise<() => Promise<void>>;
  handled(channel: string, messageId: string): Promise<boolean>;
  markHandled(channel: string, messageId: string): Promise<void>;
  /**
   * The same in fewer round trips (the Redis guard): waits for the lock and says whether the
   * message was already handled, in one step; `finish` marks it handled and lets go of the lock in
   * one step, and `release` only lets go. A guard without it is used through the three above.
   * With `read` (keys in the guard's store), their values are read in the same step, once the lock is had.
   */
  enter?(conversationId: string, channel: string, messageId: string, read?: readonly string[]): Promise<GuardTurn>;
}

/** One message's hold on its conversation (see {@link ConversationGuard.enter}). */
export interface GuardTurn {
  handled: boolean;
  /** The values of the keys {@link ConversationGuard.enter} was asked to read (when not handled). */
  read?: (string | null)[];
  /** Writes the conversation's state (when given), marks the message handled and releases the lock, in one step. */
  finish(state?: StateWrite): Promise<void>;
  /** Releases the lock (the message is not marked handled). */
  release(): Promise<void>;
}

/** A message's turn, with what was read with its lock (see {@link Engine.enter}). */
interface Entered {
  turn: GuardTurn;
  /** The conversation's stored state and preferences, as {@link StateStore.fromStored} takes them. */
  stored?: readonly [state: string | null, prefs: string | null];
  /** The member id the conversation's member link holds (null: none), read with the lock. */
  linked?: string | null;
  /** What the inbox's `turnKeys` held, read with the lock (for its `forTurn`). */
  inbox?: readonly [string | null, string | null];
}

/** What the {@link Engine} needs. Either `redis` (the guard is kept there) or a `guard` of its own. */
export type EngineDeps = EngineCommon &
  ({ redis: Redis; guard?: undefined } | { redis?: undefined; guard: ConversationGuard });

interface EngineCommon {
  keys: Keys;
  /** With the Redis guard, on the same Redis as `redis`: a turn's state is written in the guard's last step. */
  states: Pick<StateStore, 'load' | 'save'> & Partial<Pick<StateStore, 'saveWrite' | 'storedKeys' | 'fromStored'>>;
  outbox: Pick<Outbox, 'sendAll'>;
  services: Services;
  flows: NamedFlow[];
  log: Logger;
  metrics?: Metrics;
  /** How long a handled message id is remembered, so a retried job is not answered twice. */
  handledTtlSeconds: number;
  /** The clock (tests control it). */
  now?: () => Date;
  /** How long a message waits for its conversation's lock before its job fails and is retried (default 10 s). */
  lockWaitMs?: number;
}

/**
 * The conversation engine: takes one queued inbound message, loads the conversation's state,
 * runs the flows, queues their replies and saves the state. Platform-free: it sees only
 * {@link InboundJob}s and emits replies to the {@link Outbox}.
 */
export class Engine {
  private readonly run: (ctx: FlowContext) => Promise<void>;
  private readonly guard: ConversationGuard;

  constructor(private readonly d: EngineDeps) {
    this.guard = d.guard ?? redisGuard(d.redis, d.keys, d.handledTtlSeconds, d.lockWaitMs);
    this.run = composeFlows(d.flows, (flow, err) => {
      d.metrics?.flowErrors.inc({ flow });
      d.log.error(
        { flow, err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack } },
        'flow failed; going on to the next',
      );
    });
  }

  async handle(job: InboundJob): Promise<void> {
    // Whether it was already handled is checked once, under the lock.
    const entered = await this.enter(job);
    const { turn } = entered;
    let done = false;
    try {
      if (turn.handled) return;
      await this.handleLocked(job, entered, async (state) => {
        const write = this.guard.enter ? this.d.states.saveWrite?.(job.conversationId, state) : undefined;
        if (write) {
          // The state, the handled-marker and the lock's release in one step (a script: all or nothing).
          await turn.finish(write);
        } else {
          try {
            await this.d.states.save(job.conversationId, state);
          } finally {
            await turn.finish();
          }
        }
        // Let go already; if finishing failed, the lock is let go below.
        done = true;
      });
    } finally {
      if (!done) await turn.release();
    }
  }

  /** The guard's lock and handled check, in one step when the guard can, with what it read. */
  private async enter(job: InboundJob): Promise<Entered> {
    if (this.guard.enter) {
      // Read with the lock, in the same step, where the stores say where: the conversation's state,
      // and its member link (so a stranger's message reads nothing more, and a member's one record).
      // And what the flows ask of the staff inbox on every turn (an open conversation, a staff message).
      const stateKeys = this.d.states.fromStored ? this.d.states.storedKeys?.(job.conversationId) : undefined;
      const linkKey = this.d.services.members.linkKey?.(job.conversationId);
      // (Optional: the engine's own tests give it services without an inbox.)
      const conversations = this.d.services.conversations as Services['conversations'] | undefined;
      const inboxKeys = conversations?.forTurn ? conversations.turnKeys?.(job.conversationId) : undefined;
      const read = [...(stateKeys ?? []), ...(linkKey ? [linkKey] : []), ...(inboxKeys ?? [])];
      const turn = await this.guard.enter(job.conversationId, job.channel, job.messageId, read);
      const values = turn.read;
      if (!values || turn.handled) return { turn };
      const at = (stateKeys ? 2 : 0) + (linkKey ? 1 : 0);
      return {
        turn,
        ...(stateKeys ? { stored: [values[0] ?? null, values[1] ?? null] as const } : {}),
        ...(linkKey ? { linked: values[stateKeys ? 2 : 0] ?? null } : {}),
        ...(inboxKeys ? { inbox: [values[at] ?? null, values[at + 1] ?? null] as const } : {}),
      };
    }
    const release = await this.guard.lock(job.conversationId);
    try {
      const handled = await this.guard.handled(job.channel, job.messageId);
      return {
        turn: {
          handled,
          release,
          finish: async () => {
            try {
              await this.guard.markHandled(job.channel, job.messageId);
            } finally {
              await release();
            }
          },
        },
      };
    } catch (err) {
      await release();
      throw err;
    }
  }

  private async handleLocked(
    job: InboundJob,
    entered: Entered,
    end: (state: ConversationState) => Promise<void>,
  ): Promise<void> {
    const now = this.d.now?.() ?? new Date();
    const states = this.d.states;
    const read = entered.stored;
    const [stored, member] = await Promise.all([
      read && states.fromStored ? states.fromStored(...read) : states.load(job.conversationId),
      this.d.services.members.forConversation(job.conversationId, entered.linked),
    ]);
    const state = stored ?? newState(now.getTime());
    if (stored) {
      state.previousSeenAt = stored.lastSeenAt;
      state.lastSeenAt = now.getTime();
    }

    // A number or a title typed in answer to offered choices counts as tapping that choice.
    let kind = job.kind;
    let payload = job.payload;
    if (kind === 'text' && state.lastChoices?.length) {
      const chosen = pickTypedChoice(job.text, state.lastChoices);
      if (chosen) {
        kind = 'choice';
        payload = chosen.payload;
      }
    }
    const input = kind === 'choice' && payload ? payload : job.text.trim().toLowerCase();

    const replies: ReplyEffect[] = [];
    const parentLog = this.d.log;
    const conversations = this.d.services.conversations as Services['conversations'] | undefined;
    const services =
      entered.inbox && conversations?.forTurn
        ? { ...this.d.services, conversations: conversations.forTurn(job.conversationId, entered.inbox) }
        : this.d.services;
    let log: Logger | undefined;
    const ctx: FlowContext = {
      conversationId: job.conversationId,
      channel: job.channel,
      message: { kind, text: job.text, payload, sentAt: job.sentAt, origin: job.origin },
      input,
      screen: job.screen,
      alertId: job.alertId,
      now,
      isFirstContact: !stored,
      member,
      state,
      replies,
      reply: (text, choices) => {
        replies.push({ type: 'reply', text, choices, purpose: 'response' });
      },
      services,
      // Made on first use: most messages log nothing, and a child logger per message costs.
      get log() {
        return (log ??= parentLog.child({ conversation: job.conversationId, channel: job.channel }));
      },
    };

    await this.run(ctx);

    // One job for all the replies, so they arrive in the order the flows gave them.
    await this.d.outbox.sendAll(
      job.conversationId,
      replies.map((r) => ({ text: r.text, choices: r.choices })),
      'response',
      `${job.channel}:${job.messageId}`,
      // The replies to this message: its owner hears what became of them.
      { owner: { kind: 'reply', messageId: `${job.channel}:${job.messageId}` } },
    );
    const last = replies[replies.length - 1];
    if (last) ctx.state.lastChoices = last.choices?.length ? last.choices : undefined;
    await end(ctx.state);
  }
}

/**
 * The guard in Redis. One message at a time per conversation: two quick messages from one person
 * must not load the same state and overwrite each other; a lock is waited for up to `lockWaitMs`
 * (10 s), then the job fails so it is retried. A handled message id is remembered for `handledTtlSeconds`.
 */
export function redisGuard(
  redis: Redis,
  keys: Keys,
  handledTtlSeconds: number,
  lockWaitMs = 10_000,
): ConversationGuard {
  /** Tries `take` every 10 ms until it gives an answer (not undefined), or fails as busy after `lockWaitMs`. */
  const waitTurn = async <T>(take: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + lockWaitMs;
    for (;;) {
      const got = await take();
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(BUSY);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const lock = async (conversationId: string) => {
    const key = keys.lock(conversationId);
    const token = randomUUID();
    await waitTurn(async () => ((await redis.set(key, token, 'PX', 30_000, 'NX')) === 'OK' ? true : undefined));
    return async () => {
      await deleteIfHeld(redis, key, token);
    };
  };
  return {
    lock,
    handled: async (channel, messageId) => (await redis.exists(keys.handled(channel, messageId))) > 0,
    markHandled: async (channel, messageId) => {
      await redis.set(keys.handled(channel, messageId), '1', 'EX', handledTtlSeconds);
    },
    enter: async (conversationId, channel, messageId, read = []) => {
      const lockKey = keys.lock(conversationId);
      const handledKey = keys.handled(channel, messageId);
      const token = randomUUID();
      // -1: another message holds the lock; else [whether this one was handled, the values read].
      const found = await waitTurn(async () => {
        const f = (await ENTER.run(redis, 2 + read.length, lockKey, handledKey, ...read, token)) as
          -1 | [number, ...(string | null)[]];
        return f === -1 ? undefined : f;
      });
      const [handled, ...values] = found;
      return {
        handled: handled === 1,
        ...(read.length ? { read: values } : {}),
        release: () => deleteIfHeld(redis, lockKey, token),
        finish: async (state) => {
          const [stateKey, prefsKey] = state?.keys ?? [];
          const args = state?.args ?? [];
          await FINISH.run(
            redis,
            state ? 4 : 2,
            lockKey,
            handledKey,
            ...(state ? [stateKey!, prefsKey!] : []),
            token,
            String(handledTtlSeconds),
            ...args,
          );
        },
      };
    },
  };
}

const BUSY = 'conversation busy: another message is still being handled';

/**
 * KEYS: the conversation's lock, the message's handled-marker, then keys to read once the lock is
 * had. ARGV: this turn's token. -1: locked by another; else {1 if handled (and nothing read), the
 * values read ('false' for a key that is not there, which ioredis gives as null)}.
 */
const ENTER = new LuaScript(`
if not redis.call('set', KEYS[1], ARGV[1], 'PX', 30000, 'NX') then return -1 end
if redis.call('exists', KEYS[2]) == 1 then return {1} end
local found = {0}
for i = 3, #KEYS do found[i - 1] = redis.call('get', KEYS[i]) end
return found
`);

/**
 * KEYS: the lock, the handled-marker, and optionally the state and preferences. ARGV: the token, the
 * marker's TTL, and with the state its JSON, its TTL, the preferences' JSON and their TTL (as
 * StateStore's save). Writes the state, marks the message handled, lets go of the lock if still held.
 */
const FINISH = new LuaScript(`
if #KEYS == 4 then
  redis.call('set', KEYS[3], ARGV[3], 'EX', ARGV[4])
  redis.call('set', KEYS[4], ARGV[5], 'EX', ARGV[6])
end
redis.call('set', KEYS[2], '1', 'EX', ARGV[2])
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 1
`);
