import { randomUUID } from 'node:crypto';
import { pickTypedChoice } from './choices';
import type { Redis } from 'ioredis';
import { composeFlows, type FlowContext, type NamedFlow, type ReplyEffect } from './flow';
import { deleteIfHeld } from '../common/held';
import type { Keys } from './keys';
import type { Logger } from '../common/logger';
import type { InboundJob } from './message';
import type { Metrics } from '../common/metrics';
import type { Outbox } from './outbox';
import type { Services } from './services';
import { newState, type StateStore } from './state';

/**
 * One message at a time per conversation, and each message id handled once. In Redis in Haven
 * (see {@link redisGuard}); in memory in flow tests.
 */
export interface ConversationGuard {
  /** Waits for the conversation's lock; resolves with its release. */
  lock(conversationId: string): Promise<() => Promise<void>>;
  handled(channel: string, messageId: string): Promise<boolean>;
  markHandled(channel: string, messageId: string): Promise<void>;
}

/** What the {@link Engine} needs. Either `redis` (the guard is kept there) or a `guard` of its own. */
export type EngineDeps = EngineCommon &
  ({ redis: Redis; guard?: undefined } | { redis?: undefined; guard: ConversationGuard });

interface EngineCommon {
  keys: Keys;
  states: Pick<StateStore, 'load' | 'save'>;
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
    // Whether it was already handled is checked once, under the lock (handleLocked).
    const release = await this.guard.lock(job.conversationId);
    try {
      await this.handleLocked(job);
    } finally {
      await release();
    }
  }

  private async handleLocked(job: InboundJob): Promise<void> {
    if (await this.guard.handled(job.channel, job.messageId)) return;
    const now = this.d.now?.() ?? new Date();
    const [stored, member] = await Promise.all([
      this.d.states.load(job.conversationId),
      this.d.services.members.forConversation(job.conversationId),
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
      services: this.d.services,
      log: this.d.log.child({ conversation: job.conversationId, channel: job.channel }),
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
    await Promise.all([
      this.d.states.save(job.conversationId, ctx.state),
      this.guard.markHandled(job.channel, job.messageId),
    ]);
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
  return {
    lock: async (conversationId) => {
      const key = keys.lock(conversationId);
      const token = randomUUID();
      const deadline = Date.now() + lockWaitMs;
      while ((await redis.set(key, token, 'PX', 30_000, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new Error('conversation busy: another message is still being handled');
        await new Promise((r) => setTimeout(r, 10));
      }
      return async () => {
        await deleteIfHeld(redis, key, token);
      };
    },
    handled: async (channel, messageId) => (await redis.exists(keys.handled(channel, messageId))) > 0,
    markHandled: async (channel, messageId) => {
      await redis.set(keys.handled(channel, messageId), '1', 'EX', handledTtlSeconds);
    },
  };
}
