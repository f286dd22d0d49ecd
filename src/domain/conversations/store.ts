import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { conversationKeys } from './keys';
import { inboxConversationSchema, threadEntrySchema, type InboxConversation, type ThreadEntry } from './types';

/** KEYS: record. ARGV: the record as read ('' for none), the record to write, its TTL. Writes only if unchanged. */
const SWAP = `
local cur = redis.call('get', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * Where the inbox keeps conversations: a record per conversation (JSON), its thread (a Redis list,
 * one JSON line per entry, seq = position + 1), an index of open ones by last activity, the open
 * one for each channel conversation, every one kept for it (for "what do you know about me" and
 * erasure), each member of staff's read position, and a staff message waiting for an answer. Every
 * key but the open index (ids only, tidied as records expire) is written with the retention TTL,
 * renewed on activity, so a thread outlives its last activity or its closing by exactly that long.
 */
export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly retentionSeconds: number,
  ) {}

  private k(...parts: string[]): string {
    return conversationKeys(this.keys)(...parts);
  }

  async get(id: string): Promise<InboxConversation | null> {
    return parse(await this.redis.get(this.k('rec', id)));
  }

  /** The open conversation of a channel conversation, if any. */
  async current(conversationId: string): Promise<InboxConversation | null> {
    return this.openOf(await this.redis.get(this.k('by', conversationId)));
  }

  /** The conversation `id` names (as the `by` key of {@link turnKeys} holds it), if it is open. */
  async openOf(id: string | null): Promise<InboxConversation | null> {
    if (!id) return null;
    const c = await this.get(id);
    return c && c.status === 'open' ? c : null;
  }

  /**
   * What a message's turn reads of the inbox, for the engine to read with its lock in one step:
   * the channel conversation's open conversation id, and its pending staff message.
   */
  turnKeys(conversationId: string): [by: string, staffMessage: string] {
    return [this.k('by', conversationId), this.k('staffmsg', conversationId)];
  }

  /** Writes a new conversation and makes it the channel conversation's open one. */
  async create(c: InboxConversation): Promise<void> {
    const ttl = this.retentionSeconds;
    await this.redis
      .multi()
      .set(this.k('rec', c.id), JSON.stringify(c), 'EX', ttl)
      .set(this.k('by', c.conversationId), c.id, 'EX', ttl)
      .sadd(this.k('all', c.conversationId), c.id)
      .expire(this.k('all', c.conversationId), ttl)
      .zadd(this.k('open'), c.lastActivityAt, c.id)
      .exec();
  }

  /**
   * Changes a record with `change` (retried if someone else changed it meanwhile) and keeps the
   * open index in step. Null when there is no such record.
   */
  async update(
    id: string,
    change: (c: InboxConversation) => InboxConversation,
  ): Promise<{ before: InboxConversation; after: InboxConversation } | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.get(this.k('rec', id));
      const before = parse(raw);
      if (!before || raw === null) return null;
      const after = { ...change(before), version: before.version + 1 };
      const ok = await this.redis.eval(
        SWAP,
        1,
        this.k('rec', id),
        raw,
        JSON.stringify(after),
        String(this.retentionSeconds),
      );
      if (ok !== 1) continue;
      const ttl = this.retentionSeconds;
      const m = this.redis.multi().expire(this.k('thread', id), ttl).expire(this.k('all', after.conversationId), ttl);
      if (after.status === 'open') {
        m.zadd(this.k('open'), after.lastActivityAt, id).set(this.k('by', after.conversationId), id, 'EX', ttl);
      } else {
        m.zrem(this.k('open'), id);
        if (before.status === 'open') m.del(this.k('by', after.conversationId));
      }
      await m.exec();
      return { before, after };
    }
    throw new Error('conversation changed too often to update');
  }

  /** Adds lines to a thread; returns each line's seq. */
  async append(id: string, entries: Omit<ThreadEntry, 'seq'>[]): Promise<number[]> {
    if (!entries.length) return [];
    const key = this.k('thread', id);
    const [[, len]] = (await this.redis
      .multi()
      .rpush(key, ...entries.map((e) => JSON.stringify(e)))
      .expire(key, this.retentionSeconds)
      .exec()) as [[Error | null, number], unknown];
    return entries.map((_e, i) => len - entries.length + i + 1);
  }

  async thread(id: string): Promise<ThreadEntry[]> {
    const raw = await this.redis.lrange(this.k('thread', id), 0, -1);
    const out: ThreadEntry[] = [];
    raw.forEach((r, i) => {
      const e = threadEntrySchema.safeParse({ ...safeJson(r), seq: i + 1 });
      if (e.success) out.push(e.data);
    });
    return out;
  }

  /** Rewrites one line (a staff message found undeliverable); false when the thread is gone. */
  async setEntry(id: string, seq: number, change: (e: ThreadEntry) => ThreadEntry): Promise<boolean> {
    const key = this.k('thread', id);
    const raw = await this.redis.lindex(key, seq - 1);
    if (!raw) return false;
    const e = threadEntrySchema.safeParse({ ...safeJson(raw), seq });
    if (!e.success) return false;
    const { seq: _seq, ...rest } = change(e.data);
    await this.redis.lset(key, seq - 1, JSON.stringify(rest));
    return true;
  }

  /** Open conversation ids, newest activity first; ids whose record has expired are tidied away. */
  async openIds(): Promise<string[]> {
    return this.redis.zrevrange(this.k('open'), 0, 499);
  }

  async forget(id: string): Promise<void> {
    await this.redis.zrem(this.k('open'), id);
  }

  /** How far each member of staff has read (seq). */
  async readBy(id: string, staffId: string): Promise<number> {
    return Number((await this.redis.hget(this.k('read', id), staffId)) ?? 0);
  }

  async markRead(id: string, staffId: string, seq: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.k('read', id), staffId, String(seq))
      .expire(this.k('read', id), this.retentionSeconds)
      .exec();
  }

  /** Every conversation kept for a channel conversation (open or closed, until they expire). */
  async allFor(conversationId: string): Promise<string[]> {
    const ids = await this.redis.smembers(this.k('all', conversationId));
    const alive = await Promise.all(ids.map((id) => this.redis.exists(this.k('rec', id))));
    return ids.filter((_id, i) => alive[i] === 1);
  }

  /** A message staff sent outside the inbox (from a request) that the young person may answer. */
  async setPendingStaffMessage(
    conversationId: string,
    m: { by: string; text: string; at: number },
    ttlSeconds: number,
  ): Promise<void> {
    await this.redis.set(this.k('staffmsg', conversationId), JSON.stringify(m), 'EX', ttlSeconds);
  }

  async takePendingStaffMessage(conversationId: string): Promise<{ by: string; text: string; at: number } | null> {
    const raw = await this.redis.getdel(this.k('staffmsg', conversationId));
    const o = raw ? (safeJson(raw) as { by?: unknown; text?: unknown; at?: unknown }) : null;
    if (!o || typeof o.by !== 'string' || typeof o.text !== 'string' || typeof o.at !== 'number') return null;
    return { by: o.by, text: o.text, at: o.at };
  }

  async hasPendingStaffMessage(conversationId: string): Promise<boolean> {
    return (await this.redis.exists(this.k('staffmsg', conversationId))) === 1;
  }

  /** Deletes every conversation, thread and read mark of a channel conversation. Returns how many. */
  async eraseFor(conversationId: string): Promise<string[]> {
    const ids = await this.redis.smembers(this.k('all', conversationId));
    const current = await this.redis.get(this.k('by', conversationId));
    if (current && !ids.includes(current)) ids.push(current);
    const m = this.redis.multi();
    for (const id of ids) m.del(this.k('rec', id), this.k('thread', id), this.k('read', id)).zrem(this.k('open'), id);
    m.del(this.k('all', conversationId), this.k('by', conversationId), this.k('staffmsg', conversationId));
    await m.exec();
    return ids;
  }
}

function parse(raw: string | null): InboxConversation | null {
  if (!raw) return null;
  const c = inboxConversationSchema.safeParse(safeJson(raw));
  return c.success ? c.data : null;
}

function safeJson(raw: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
