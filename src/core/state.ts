import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys';

/**
 * One conversation's state: a persisted state machine, never closures in memory, so any worker
 * can take the next message. Kept with a TTL (STATE_TTL_DAYS after last contact).
 */
export const conversationStateSchema = z.object({
  v: z.literal(1).default(1),
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  /** When they were seen before this message (for "not seen for a long time"). */
  previousSeenAt: z.number().optional(),
  /** The multi-step flow in progress, if any: its name, step, and answers so far. */
  flow: z.object({ name: z.string(), step: z.string(), answers: z.record(z.string(), z.string()) }).optional(),
  /** The choices last offered, so "1" or a typed title picks one on any channel. */
  lastChoices: z.array(z.object({ title: z.string(), payload: z.string() })).optional(),
  /** When each kind of notice was last sent (ms), so none is repeated too often. */
  sent: z.record(z.string(), z.number()).default({}),
  /** Opted out of non-essential messages (reminders, refreshers). */
  optedOut: z.boolean().default(false),
  /** Messages carry no charity name or subject in their first line. */
  discreet: z.boolean().default(false),
  /** Failed join-code attempts in the current window. */
  joinFailures: z.object({ count: z.number(), since: z.number() }).optional(),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

/** A fresh state for someone seen for the first time. */
export function newState(now: number): ConversationState {
  return { v: 1, firstSeenAt: now, lastSeenAt: now, sent: {}, optedOut: false, discreet: false };
}

/** Loads and saves {@link ConversationState} in Redis with a sliding TTL. */
export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ttlSeconds: number,
  ) {}

  /** The stored state, or null for someone new (or whose state has expired, or was unreadable). */
  async load(conversationId: string): Promise<ConversationState | null> {
    const raw = await this.redis.get(this.keys.state(conversationId));
    if (!raw) return null;
    const parsed = conversationStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async save(conversationId: string, state: ConversationState): Promise<void> {
    await this.redis.set(this.keys.state(conversationId), JSON.stringify(state), 'EX', this.ttlSeconds);
  }

  async delete(conversationId: string): Promise<void> {
    await this.redis.del(this.keys.state(conversationId));
  }
}
