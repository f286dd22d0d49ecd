import { randomUUID } from 'node:crypto';
import { webchatClientKey } from '../../src/adapters/webchat';
import type { Haven } from '../../src/main';
import { Outbox } from '../../src/engine/outbox';
import { jobId } from '../../src/engine/queues';
import type { OutboundMessage, SendPurpose } from '../../src/engine/message';
import type { ConversationState } from '../../src/engine/state';
import { waitFor } from './haven';

/** One reply as the web chat stores it. */
export interface ChatReply {
  seq: number;
  text: string;
  choices?: { title: string; payload: string }[];
}

const DONE = new Set(['completed', 'failed', 'unknown']);

/**
 * A person on the web chat driving a full Haven through its public HTTP API, one turn at a time:
 * `const replies = await p.send('hi')` posts the message, waits until the engine has handled it
 * and every reply it queued has left the outbound worker (sent, or recorded as not sent), and
 * returns the replies that reached the browser for that turn. No sleeps: it waits on Haven's own
 * records (the handled-message key and the outbound jobs).
 */
export class ChatPerson {
  readonly clientId = randomUUID();
  readonly clientKey = webchatClientKey(this.clientId);
  readonly conversationId: string;
  private seen = 0;

  constructor(private readonly haven: Haven) {
    this.conversationId = haven.vault.conversationId('webchat', this.clientId);
  }

  /** Sends text (or taps a choice when `payload` is given) and returns this turn's replies. */
  async send(text: string, payload?: string): Promise<ChatReply[]> {
    const id = randomUUID();
    const res = await fetch(`${this.haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: this.clientId, id, text, ...(payload ? { payload } : {}) }),
    });
    if (res.status !== 202) throw new Error(`web chat refused the message: ${res.status} ${await res.text()}`);
    const messageId = `${this.clientKey}:${id}`;
    await waitFor(
      () =>
        this.haven.redis.exists(this.haven.keys.handled('webchat', this.haven.vault.messageKey('webchat', messageId))),
      10_000,
      `"${text}" handled`,
    );
    // All replies to one message go as one outbound job (see Engine).
    // Its key is the message's keyed id, as the engine queued it.
    await this.waitForJob(`webchat:${this.haven.vault.messageKey('webchat', messageId)}`);
    return this.newReplies();
  }

  /** Queues a message to this person as Haven would (a reminder is a `notice`) and waits for the worker. */
  async notify(message: OutboundMessage, purpose: SendPurpose = 'notice'): Promise<ChatReply[]> {
    const key = `test:${randomUUID()}`;
    await new Outbox(this.haven.queues.outbound).send(this.conversationId, message, purpose, key);
    await this.waitForJob(key);
    return this.newReplies();
  }

  /** Every reply so far. */
  async replies(): Promise<ChatReply[]> {
    const raw = await this.haven.redis.lrange(this.haven.keys.webchatOutbox(this.clientKey), 0, -1);
    return raw.map((r) => JSON.parse(r) as ChatReply).sort((a, b) => a.seq - b.seq);
  }

  /** The conversation's stored state. */
  async state(): Promise<ConversationState | null> {
    const raw = await this.haven.redis.get(this.haven.keys.state(this.conversationId));
    return raw ? (JSON.parse(raw) as ConversationState) : null;
  }

  /** False when no job was queued under this key; else waits until it is finished. */
  private async waitForJob(key: string): Promise<boolean> {
    const job = await this.haven.queues.outbound.getJob(jobId('out', key));
    if (!job) return false;
    await waitFor(async () => DONE.has(await job.getState()), 10_000, `outbound job ${key} finished`);
    return true;
  }

  private async newReplies(): Promise<ChatReply[]> {
    const fresh = (await this.replies()).filter((r) => r.seq > this.seen);
    for (const r of fresh) this.seen = Math.max(this.seen, r.seq);
    return fresh;
  }
}
