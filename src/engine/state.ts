import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys';
import { LuaScript } from '../common/script';

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
  /**
   * The kind of the last concern the screen raised here (the safeguarding reply's advice, not their
   * words) and when: "what should i do" afterwards gets that advice again.
   */
  concern: z.object({ kind: z.string(), at: z.number(), also: z.array(z.string()).optional() }).optional(),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

/** A fresh state for someone seen for the first time. */
export function newState(now: number): ConversationState {
  return { v: 1, firstSeenAt: now, lastSeenAt: now, sent: {}, optedOut: false, discreet: false };
}

/**
 * What outlives conversation state: a "stop" or "discreet" must be kept to for as long as the
 * person may come back, and "not seen for a long time" needs to know when they were last here.
 * No message text, nothing they told us.
 */
const preferencesSchema = z.object({
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  optedOut: z.boolean(),
  discreet: z.boolean(),
  /** When each online-safety reminder was last sent, so a returning person is not re-welcomed. */
  sent: z.record(z.string(), z.number()).default({}),
});

/** The `sent` kinds kept with the preferences (the online-safety reminders' pacing). */
const KEPT_SENT = /^safety\./;

/**
 * Loads and saves {@link ConversationState} in Redis with a sliding TTL, and beside it the
 * person's preferences with a longer one: when the state has expired, a returning person is
 * recognised (not greeted as new), and their "stop" and "discreet" still hold.
 */
export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ttlSeconds: number,
    private readonly prefsTtlSeconds: number = ttlSeconds,
  ) {}

  /** The stored state, or null for someone new (or whose state and preferences have expired, or are unreadable). */
  async load(conversationId: string): Promise<ConversationState | null> {
    return (await this.loadWith(conversationId, [])).state;
  }

  /**
   * The stored state (as {@link load}) and the raw values of `others`, in one command (MGET):
   * the sender reads the person's address and last message time with their privacy choices.
   */
  async loadWith(
    conversationId: string,
    others: string[],
  ): Promise<{ state: ConversationState | null; others: (string | null)[] }> {
    const [raw, rawPrefs, ...rest] = await this.redis.mget(
      this.keys.state(conversationId),
      this.keys.prefs(conversationId),
      ...others,
    );
    return { state: fromStored(raw ?? null, rawPrefs ?? null), others: rest };
  }

  /**
   * The person's privacy choices (`optedOut`, `discreet`, as {@link load} gives them) and the raw
   * values of `others`, in one command: the sender's read before every send. The preferences are
   * written in the same step as the state with the same values, so they answer alone and the state
   * (larger: the flow in progress, the last choices) is neither read nor parsed. Without readable
   * preferences (not yet saved, or unreadable) the state is read as {@link load} reads it.
   */
  async choicesWith(
    conversationId: string,
    others: string[],
  ): Promise<{ choices: Pick<ConversationState, 'optedOut' | 'discreet'> | null; others: (string | null)[] }> {
    const [rawPrefs, ...rest] = await this.redis.mget(this.keys.prefs(conversationId), ...others);
    const prefs = rawPrefs ? preferencesSchema.safeParse(safeJson(rawPrefs)) : null;
    if (prefs?.success)
      return { choices: { optedOut: prefs.data.optedOut, discreet: prefs.data.discreet }, others: rest };
    return { choices: await this.load(conversationId), others: rest };
  }

  /** The keys {@link fromStored} reads a state from (the engine reads them with its lock, in one step). */
  storedKeys(conversationId: string): [state: string, prefs: string] {
    return [this.keys.state(conversationId), this.keys.prefs(conversationId)];
  }

  /** The state from the raw values of {@link storedKeys} (as {@link load}). */
  fromStored(raw: string | null, rawPrefs: string | null): ConversationState | null {
    return fromStored(raw, rawPrefs);
  }

  async save(conversationId: string, state: ConversationState): Promise<void> {
    const { keys, args } = this.saveWrite(conversationId, state);
    // Both or neither, in one command (a script rather than MULTI: one command, not three).
    await SAVE.run(this.redis, 2, ...keys, ...args);
  }

  /**
   * What {@link save} writes, for a script that writes it with other keys in one step (the engine's
   * guard marks the message handled and lets go of the lock in the same step): KEYS state, prefs;
   * ARGV the state's JSON, its TTL, the preferences' JSON, their TTL.
   */
  saveWrite(conversationId: string, state: ConversationState): StateWrite {
    const prefs = {
      firstSeenAt: state.firstSeenAt,
      lastSeenAt: state.lastSeenAt,
      optedOut: state.optedOut,
      discreet: state.discreet,
      sent: Object.fromEntries(Object.entries(state.sent).filter(([k]) => KEPT_SENT.test(k))),
    };
    return {
      keys: [this.keys.state(conversationId), this.keys.prefs(conversationId)],
      args: [JSON.stringify(state), String(this.ttlSeconds), JSON.stringify(prefs), String(this.prefsTtlSeconds)],
    };
  }

  async delete(conversationId: string): Promise<void> {
    await this.redis.del(this.keys.state(conversationId), this.keys.prefs(conversationId));
  }
}

/** A state's save as a script's keys and arguments (see {@link StateStore.saveWrite}). */
export interface StateWrite {
  keys: [state: string, prefs: string];
  args: [state: string, stateTtl: string, prefs: string, prefsTtl: string];
}

/** KEYS: state, preferences. ARGV: state JSON, its TTL, preferences JSON, their TTL. */
const SAVE = new LuaScript(`
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('set', KEYS[2], ARGV[3], 'EX', ARGV[4])
return 1
`);

/** The state from its stored JSON, else rebuilt from the preferences, else null. */
function fromStored(raw: string | null, rawPrefs: string | null): ConversationState | null {
  const state = raw ? conversationStateSchema.safeParse(safeJson(raw)) : null;
  if (state?.success) return state.data;
  const prefs = rawPrefs ? preferencesSchema.safeParse(safeJson(rawPrefs)) : null;
  if (!prefs?.success) return null;
  const p = prefs.data;
  return {
    v: 1,
    firstSeenAt: p.firstSeenAt,
    lastSeenAt: p.lastSeenAt,
    sent: p.sent,
    optedOut: p.optedOut,
    discreet: p.discreet,
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
