import { randomBytes, randomUUID } from 'node:crypto';
import { webchatClientKey } from '../../src/adapters/webchat';
import type { Choice, OutboundMessage, SendPurpose } from '../../src/engine/message';
import { Outbox } from '../../src/engine/outbox';
import { jobId } from '../../src/engine/queues';
import type { ConversationState } from '../../src/engine/state';
import type { Haven } from '../../src/main';
import { waitForDrained, type QueuePick } from './queues';
import { waitFor } from './util';

/** One reply as the web chat delivers it. */
export interface ChatReply {
  seq: number;
  text: string;
  choices?: Choice[];
  at?: number;
}

/** Haven's "I didn't understand" answer: never what a test expects unless it says so. */
export const FALLBACK = /Sorry, I didn't quite get that/;

/** How {@link Conversation.expectReply} reads. */
export interface ExpectOptions {
  /** How long to wait for the reply (a guard against a hang, not a timing claim). */
  ms?: number;
  /**
   * Skip (and consume) unread replies that do not match, as a staff identity does that gets other
   * alerts' notices too. Off by default: the next unread reply must be the one expected.
   */
  skip?: boolean;
  /** The fallback ("Sorry, I didn't quite get that") is what this test expects. */
  fallback?: boolean;
  /** The same text as the reply before it is expected (a message sent twice on purpose). */
  repeat?: boolean;
}

/**
 * A person on Haven's web chat, driven through the real HTTP API (`POST /chat/api/messages`), with
 * replies read from the web chat's reply backlog in Redis: the one conversation driver for
 * end-to-end tests. No sleeps: it waits on Haven's own records (the handled-message key, the
 * outbound job, the queues' counts).
 *
 * ```ts
 * const chat = await startConversation(haven);
 * await chat.send('hi');
 * await chat.expectReply(/youth worker/); // strict: the next unread reply must match
 * await chat.tap('Yes, send it');         // taps an offered choice by title
 * await chat.expectNoMoreReplies();       // queues drained, and nothing unread
 * ```
 *
 * `expectReply` is strict by default: an unread reply before the expected one, a fallback answer or
 * the same text twice in a row fails the test. A test that must skip (a staff identity hearing of
 * other alerts) says so with `{ skip: true }`.
 */
export interface Conversation {
  /** The browser id (a secret, like a platform id). */
  readonly clientId: string;
  /** The web chat's key for this browser (its reply backlog and message ids use it). */
  readonly clientKey: string;
  /** The pseudonymous conversation id Haven uses for this person. */
  readonly conversationId: string;
  /** Every reply fetched so far, in order. */
  readonly replies: ChatReply[];
  /** Sends a typed message; resolves once Haven has handled it (its replies are queued). */
  send(text: string): Promise<void>;
  /** Taps an offered choice (by title, case-insensitive) of the last reply that had choices. */
  tap(title: string): Promise<void>;
  /** Sends a choice payload directly (a menu tap). */
  sendPayload(payload: string, text?: string): Promise<void>;
  /**
   * One turn: sends, waits until the engine handled it and its replies left the outbound worker
   * (sent, or recorded as not sent), and returns the replies that came for it (marks them read).
   */
  turn(text: string, payload?: string): Promise<ChatReply[]>;
  /** POSTs a message and returns the response, waiting for nothing (for tests of refusals and outages). */
  post(text: string, opts?: { id?: string; payload?: string }): Promise<Response>;
  /** Queues a message to this person as Haven would (a reminder is a `notice`); returns what arrived. */
  notify(message: OutboundMessage, purpose?: SendPurpose): Promise<ChatReply[]>;
  /** The next unread reply, which must match `pattern` (see {@link ExpectOptions}); marks it read. */
  expectReply(pattern: RegExp, opts?: ExpectOptions | number): Promise<ChatReply>;
  /** Waits until `n` more replies than have been read arrived, and returns them (marks them read). */
  nextReplies(n?: number, ms?: number): Promise<ChatReply[]>;
  /** Waits for a reply matching `pattern` anywhere in what arrived (read or not); reads nothing. */
  waitForReply(pattern: RegExp, ms?: number): Promise<ChatReply>;
  /** Waits for Haven's queues to drain, then fails if any reply is unread (a duplicate, an extra). */
  expectNoMoreReplies(opts?: { only?: QueuePick[] }): Promise<void>;
  /** Fetches and returns every reply so far (read or not). */
  allReplies(): Promise<ChatReply[]>;
  /** The conversation's stored state. */
  state(): Promise<ConversationState | null>;
}

const DONE = new Set(['completed', 'failed', 'unknown']);

/**
 * Starts a conversation on the web chat of `haven`. `clientId` makes it a known identity (a member of
 * staff configured by their chat id); default a new random browser.
 */
export async function startConversation(haven: Haven, opts: { clientId?: string } = {}): Promise<Conversation> {
  const channel = 'webchat';
  const clientId = opts.clientId ?? randomBytes(16).toString('hex');
  const clientKey = webchatClientKey(clientId);
  const conversationId = haven.vault.conversationId(channel, clientId);
  const replies: ChatReply[] = [];
  let read = 0;
  let counter = 0;

  const fetchReplies = async (): Promise<ChatReply[]> => {
    const raw = await haven.redis.lrange(haven.keys.webchatOutbox(clientKey), 0, -1);
    for (const entry of raw) {
      const r = JSON.parse(entry) as ChatReply;
      if (!replies.some((x) => x.seq === r.seq)) replies.push(r);
    }
    replies.sort((a, b) => a.seq - b.seq);
    return replies;
  };

  const post = async (text: string, o: { id?: string; payload?: string } = {}): Promise<Response> =>
    fetch(`${haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, id: o.id ?? randomUUID(), text, ...(o.payload ? { payload: o.payload } : {}) }),
    });

  /** Posts and waits until the engine has handled it; returns the platform message id. */
  const sendAndWait = async (text: string, payload?: string): Promise<string> => {
    const id = `m${++counter}-${randomBytes(3).toString('hex')}`;
    const res = await post(text, { id, payload });
    if (res.status !== 202) throw new Error(`web chat answered ${res.status}: ${await res.text()}`);
    // Wait until the engine has handled it (replies queued, state saved), so the next message
    // sees this one's state: the engine runs messages concurrently.
    const handled = haven.keys.handled(channel, haven.vault.messageKey(channel, `${clientKey}:${id}`));
    await waitFor(async () => (await haven.redis.exists(handled)) === 1, 30_000, `"${text}" to be handled`);
    return id;
  };

  /** Waits until the outbound job queued under `key` has finished; false when there is none. */
  const waitForJob = async (key: string): Promise<boolean> => {
    const job = await haven.queues.outbound.getJob(jobId('out', key));
    if (!job) return false;
    await waitFor(async () => DONE.has(await job.getState()), 30_000, `outbound job ${key} to finish`);
    return true;
  };

  const takeUnread = async (): Promise<ChatReply[]> => {
    await fetchReplies();
    const out = replies.slice(read);
    read = replies.length;
    return out;
  };

  const unread = () =>
    replies
      .slice(read)
      .map((r) => `  #${r.seq}: ${JSON.stringify(r.text)}`)
      .join('\n');

  const expectReply = async (pattern: RegExp, o: ExpectOptions | number = {}): Promise<ChatReply> => {
    const { ms = 30_000, skip = false, fallback = false, repeat = false } = typeof o === 'number' ? { ms: o } : o;
    const found = await waitFor(
      async (): Promise<ChatReply | null> => {
        await fetchReplies();
        while (read < replies.length) {
          const next = replies[read]!;
          if (pattern.test(next.text)) return next;
          if (!skip)
            throw new Error(
              `expected the next reply to match ${pattern}, but it was #${next.seq}: ${JSON.stringify(next.text)}` +
                `\nunread replies:\n${unread()}`,
            );
          read++;
        }
        return null;
      },
      ms,
      `a reply matching ${pattern}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nunread replies:\n${unread() || '  (none)'}`, { cause: err });
    });
    const before = replies[read - 1];
    read++;
    if (!fallback && FALLBACK.test(found.text) && !FALLBACK.test(pattern.source))
      throw new Error(`reply #${found.seq} matched ${pattern} but is the fallback: ${JSON.stringify(found.text)}`);
    if (!repeat && before && before.text === found.text)
      throw new Error(`reply #${found.seq} repeats the reply before it: ${JSON.stringify(found.text)}`);
    return found;
  };

  const tap = async (title: string): Promise<void> => {
    await fetchReplies();
    const offered = [...replies].reverse().find((r) => r.choices?.length)?.choices ?? [];
    const choice = offered.find((c) => c.title.toLowerCase() === title.toLowerCase());
    if (!choice)
      throw new Error(
        `no choice "${title}" offered; last choices: ${offered.map((c) => c.title).join(', ') || 'none'}`,
      );
    await sendAndWait(choice.title, choice.payload);
  };

  return {
    clientId,
    clientKey,
    conversationId,
    replies,
    send: async (text) => void (await sendAndWait(text)),
    sendPayload: async (payload, text) => void (await sendAndWait(text ?? payload, payload)),
    tap,
    turn: async (text, payload) => {
      const id = await sendAndWait(text, payload);
      // All replies to one message go as one outbound job (see Engine).
      await waitForJob(`${channel}:${haven.vault.messageKey(channel, `${clientKey}:${id}`)}`);
      return takeUnread();
    },
    post,
    notify: async (message, purpose = 'notice') => {
      const key = `test:${randomUUID()}`;
      await new Outbox(haven.queues.outbound).send(conversationId, message, purpose, key);
      await waitForJob(key);
      return takeUnread();
    },
    expectReply,
    nextReplies: async (n = 1, ms = 30_000) => {
      await waitFor(async () => (await fetchReplies()).length >= read + n, ms, `${n} more replies`);
      const out = replies.slice(read, read + n);
      read += n;
      return out;
    },
    waitForReply: async (pattern, ms = 30_000) =>
      waitFor(async () => (await fetchReplies()).find((r) => pattern.test(r.text)), ms, `a reply matching ${pattern}`),
    expectNoMoreReplies: async ({ only } = {}) => {
      await waitForDrained(haven, { only });
      await fetchReplies();
      if (read < replies.length) throw new Error(`expected no more replies, but there are unread ones:\n${unread()}`);
    },
    allReplies: fetchReplies,
    state: async () => {
      const raw = await haven.redis.get(haven.keys.state(conversationId));
      return raw ? (JSON.parse(raw) as ConversationState) : null;
    },
  };
}
