import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { composeFlows, type FlowContext, type MemberRef, type NamedFlow, type ReplyEffect } from './flow';
import type { Keys } from './keys';
import type { Logger } from './logger';
import type { InboundJob } from './message';
import type { Metrics } from './metrics';
import type { Outbox } from './outbox';
import type { Services } from './services';
import { newState, type ConversationState, type StateStore } from './state';

/** Deletes a lock only if it is still ours. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** What the {@link Engine} needs. */
export interface EngineDeps {
  redis: Redis;
  keys: Keys;
  states: StateStore;
  outbox: Outbox;
  services: Services;
  flows: NamedFlow[];
  log: Logger;
  metrics?: Metrics;
  /** How long a handled message id is remembered, so a retried job is not answered twice. */
  handledTtlSeconds: number;
  /** The clock (tests control it). */
  now?: () => Date;
}

/**
 * The conversation engine: takes one queued inbound message, loads the conversation's state,
 * runs the flows, queues their replies and saves the state. Platform-free: it sees only
 * {@link InboundJob}s and emits replies to the {@link Outbox}.
 */
export class Engine {
  private readonly run: (ctx: FlowContext) => Promise<void>;

  constructor(private readonly d: EngineDeps) {
    this.run = composeFlows(d.flows, (flow, err) => {
      d.metrics?.flowErrors.inc({ flow });
      d.log.error(
        { flow, err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack } },
        'flow failed; going on to the next',
      );
    });
  }

  async handle(job: InboundJob): Promise<void> {
    const { redis, keys } = this.d;
    const handledKey = keys.handled(job.channel, job.messageId);
    const lockKey = keys.custom('lock', job.conversationId);
    const token = randomUUID();
    const deadline = Date.now() + 10_000;
    // One message at a time per conversation: two quick messages from one person must not load the
    // same state and overwrite each other. Waits up to 10 s, then fails the job so it is retried.
    for (;;) {
      // The lock and every read in one batch on the pipelined connection. Redis runs one
      // connection's commands in order, so the reads see what the lock's last holder saved before
      // it let go (it saves, then releases); they are thrown away when the lock is busy.
      const locked = redis.set(lockKey, token, 'PX', 30_000, 'NX');
      const reads = Promise.all([
        redis.exists(handledKey),
        this.d.states.load(job.conversationId),
        this.d.services.members.forConversation(job.conversationId),
      ]);
      reads.catch(() => undefined);
      if ((await locked) === 'OK') {
        let released: Promise<unknown> | undefined;
        const release = (): Promise<unknown> => {
          if (!released) {
            released = redis.eval(RELEASE, 1, lockKey, token);
            // Sent early (with the save); its outcome is awaited below.
            released.catch(() => undefined);
          }
          return released;
        };
        try {
          const [handled, stored, member] = await reads;
          // Already answered (a retried job): nothing to do.
          if (!handled) await this.handleLocked(job, handledKey, stored, member, release);
        } finally {
          await release();
        }
        return;
      }
      if (Date.now() > deadline) throw new Error('conversation busy: another message is still being handled');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Runs the flows for a message under its conversation's lock, queues their replies, then saves
   * the state and marks the message handled, with the lock's `release` sent in the same batch
   * (after them in Redis's order, so the next holder reads what was saved).
   */
  private async handleLocked(
    job: InboundJob,
    handledKey: string,
    stored: ConversationState | null,
    member: MemberRef | null,
    release: () => Promise<unknown>,
  ): Promise<void> {
    const { redis } = this.d;
    const now = this.d.now?.() ?? new Date();
    const state = stored ?? newState(now.getTime());
    if (stored) {
      state.previousSeenAt = stored.lastSeenAt;
      state.lastSeenAt = now.getTime();
    }

    // A number or a title typed in answer to offered choices counts as tapping that choice.
    let kind = job.kind;
    let payload = job.payload;
    if (kind === 'text' && state.lastChoices?.length) {
      const typed = job.text.trim().toLowerCase().replace(/[.)]$/, '');
      const byNumber = /^\d{1,2}$/.test(typed) ? state.lastChoices[Number(typed) - 1] : undefined;
      const chosen = byNumber ?? state.lastChoices.find((c) => c.title.toLowerCase() === typed);
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
      message: { kind, text: job.text, payload, sentAt: job.sentAt },
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
    );
    const last = replies[replies.length - 1];
    if (last) ctx.state.lastChoices = last.choices?.length ? last.choices : undefined;
    const saved = Promise.all([
      this.d.states.save(job.conversationId, ctx.state),
      redis.set(handledKey, '1', 'EX', this.d.handledTtlSeconds),
    ]);
    void release();
    await saved;
  }
}
