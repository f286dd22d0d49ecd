import { createHash, randomBytes } from 'node:crypto';
import type { Choice } from '../../src/engine/message';
import type { Haven } from '../../src/main';
import { waitFor } from './haven';

/** One reply as the web chat delivers it. */
export interface ChatReply {
  seq: number;
  text: string;
  choices?: Choice[];
  at: number;
}

/**
 * A young person on the web chat of a running Haven, driven through the real HTTP API
 * (`POST /chat/api/messages`) with replies read from the web chat's reply backlog in Redis.
 *
 * ```ts
 * const chat = await startConversation(haven);
 * await chat.send('hi');
 * await chat.expectReply(/youth worker/);
 * await chat.tap('Yes, send it'); // taps an offered choice by title
 * ```
 */
export interface Conversation {
  /** The browser id (a secret, like a platform id). */
  readonly clientId: string;
  /** The pseudonymous conversation id Haven uses for this person. */
  readonly conversationId: string;
  /** Every reply received so far, in order. */
  readonly replies: ChatReply[];
  /** Sends a typed message; resolves once Haven has handled it (its replies are queued). */
  send(text: string): Promise<void>;
  /** Taps an offered choice (by title, case-insensitive) of the last reply that had choices. */
  tap(title: string): Promise<void>;
  /** Sends a choice payload directly (a menu tap). */
  sendPayload(payload: string, text?: string): Promise<void>;
  /**
   * Waits for the next unread reply matching `pattern` (skipping and consuming earlier unread
   * ones) and returns it. Fails after `ms` with every unread reply in the message.
   */
  expectReply(pattern: RegExp, ms?: number): Promise<ChatReply>;
  /** Waits until `n` more replies than have been read arrived, and returns them (marks them read). */
  nextReplies(n?: number, ms?: number): Promise<ChatReply[]>;
  /** Waits for a reply matching `pattern` anywhere in what arrived (read or not). */
  waitForReply(pattern: RegExp, ms?: number): Promise<ChatReply>;
}

/** Starts a conversation on the web chat channel of `haven` (the only channel it needs). */
export async function startConversation(haven: Haven, channel: 'webchat' = 'webchat'): Promise<Conversation> {
  const clientId = randomBytes(16).toString('hex');
  const clientKey = createHash('sha256').update(clientId).digest('base64url').slice(0, 32);
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

  const post = async (body: { text: string; payload?: string }): Promise<void> => {
    const id = `m${++counter}-${randomBytes(3).toString('hex')}`;
    const res = await fetch(`${haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, id, ...body }),
    });
    if (res.status !== 202) throw new Error(`web chat answered ${res.status}: ${await res.text()}`);
    // Wait until the engine has handled it (replies queued, state saved), so the next message
    // sees this one's state: the engine runs messages concurrently.
    const handled = haven.keys.handled(channel, haven.vault.messageKey(channel, `${clientKey}:${id}`));
    await waitFor(async () => (await haven.redis.exists(handled)) === 1, 8000, 'the message to be handled');
  };

  const unread = () =>
    replies
      .slice(read)
      .map((r) => `  #${r.seq}: ${JSON.stringify(r.text)}`)
      .join('\n');

  return {
    clientId,
    conversationId,
    replies,
    send: (text) => post({ text }),
    sendPayload: (payload, text) => post({ text: text ?? payload, payload }),
    tap: async (title) => {
      await fetchReplies();
      const offered = [...replies].reverse().find((r) => r.choices?.length)?.choices ?? [];
      const choice = offered.find((c) => c.title.toLowerCase() === title.toLowerCase());
      if (!choice)
        throw new Error(
          `no choice "${title}" offered; last choices: ${offered.map((c) => c.title).join(', ') || 'none'}`,
        );
      await post({ text: choice.title, payload: choice.payload });
    },
    expectReply: async (pattern, ms = 8000) => {
      try {
        return await waitFor(
          async () => {
            await fetchReplies();
            const i = replies.findIndex((r, idx) => idx >= read && pattern.test(r.text));
            if (i < 0) return null;
            read = i + 1;
            return replies[i];
          },
          ms,
          `a reply matching ${pattern}`,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\nunread replies:\n${unread() || '  (none)'}`, { cause: err });
      }
    },
    nextReplies: async (n = 1, ms = 8000) => {
      await waitFor(async () => (await fetchReplies()).length >= read + n, ms, `${n} more replies`);
      const out = replies.slice(read, read + n);
      read += n;
      return out;
    },
    waitForReply: async (pattern, ms = 8000) =>
      waitFor(async () => (await fetchReplies()).find((r) => pattern.test(r.text)), ms, `a reply matching ${pattern}`),
  };
}
