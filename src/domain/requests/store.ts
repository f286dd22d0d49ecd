import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { OPEN_STATUSES, RequestError, type OneToOneRequest, type RequestEvent, type RequestStatus } from './types';
import { requestKeys } from './keys';

/** Replaces a key's value only if it still holds what was read (optimistic concurrency). */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/**
 * One-to-one requests in Redis.
 *
 * Keys: `req:{id}` (JSON), `reqlog:{id}` (history, a list of JSON events, oldest first),
 * `reqs:all` and `reqs:open` (sorted by creation), `reqs:queue` (new and claimed: the queue a
 * young person has a place in), `reqopen:{memberId}` (the member's one open request),
 * `reqsof:{memberId}` (all of a member's requests, for deletion). Closed requests expire after
 * the retention period.
 */
export class RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {}

  private get k() {
    return requestKeys(this.keys);
  }
  private key = (id: string) => this.k.request(id);
  private logKey = (id: string) => this.k.log(id);
  private openForKey = (memberId: string) => this.k.openFor(memberId);
  private ofKey = (memberId: string) => this.k.ofMember(memberId);
  private get allKey() {
    return this.k.all();
  }
  private get openKey() {
    return this.k.open();
  }
  private get queueKey() {
    return this.k.queue();
  }

  /** How many requests the index holds (the retention sweep's count; listing prunes expired ones). */
  async indexSize(): Promise<number> {
    return this.redis.zcard(this.allKey);
  }

  /**
   * Stores a new request unless the member already has an open one. Returns the stored request
   * and whether it was created (false: `existing` is their open request).
   */
  async create(
    request: OneToOneRequest,
    event: RequestEvent,
  ): Promise<{ created: true; request: OneToOneRequest } | { created: false; existingId: string }> {
    const claimed = await this.redis.set(this.openForKey(request.memberId), request.id, 'NX');
    if (claimed !== 'OK') {
      const existingId = await this.redis.get(this.openForKey(request.memberId));
      if (existingId && (await this.get(existingId))) return { created: false, existingId };
      // A stale pointer (request expired or deleted): take it over.
      await this.redis.set(this.openForKey(request.memberId), request.id);
    }
    await this.redis
      .multi()
      .set(this.key(request.id), JSON.stringify(request))
      .rpush(this.logKey(request.id), JSON.stringify(event))
      .zadd(this.allKey, request.createdAt, request.id)
      .zadd(this.openKey, request.createdAt, request.id)
      .zadd(this.queueKey, request.createdAt, request.id)
      .sadd(this.ofKey(request.memberId), request.id)
      .exec();
    return { created: true, request };
  }

  async get(id: string): Promise<OneToOneRequest | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as OneToOneRequest) : null;
  }

  /** The request's history, oldest first. */
  async history(id: string): Promise<RequestEvent[]> {
    return (await this.redis.lrange(this.logKey(id), 0, -1)).map((e) => JSON.parse(e) as RequestEvent);
  }

  /**
   * Applies `change` to the stored request (retrying if someone else changed it meanwhile),
   * records `event` (given the request after and before the change) in its history and keeps the
   * indexes in step with its status. `change` throws a {@link RequestError} to refuse.
   */
  async update(
    id: string,
    change: (r: OneToOneRequest) => OneToOneRequest,
    event: (after: OneToOneRequest, before: OneToOneRequest) => RequestEvent,
  ): Promise<{ before: OneToOneRequest; after: OneToOneRequest }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.get(this.key(id));
      if (!raw) throw new RequestError('NOT_FOUND', `no request with id ${id}`);
      const before = JSON.parse(raw) as OneToOneRequest;
      const after = { ...change(structuredClone(before)), version: before.version + 1 };
      const ok = await this.redis.eval(COMPARE_AND_SET, 1, this.key(id), raw, JSON.stringify(after));
      if (ok !== 1) continue;
      const tx = this.redis.multi().rpush(this.logKey(id), JSON.stringify(event(after, before)));
      this.index(tx, after);
      await tx.exec();
      return { before, after };
    }
    throw new Error(`request ${id} is changing too often; try again`);
  }

  private index(tx: ReturnType<Redis['multi']>, r: OneToOneRequest): void {
    const open = OPEN_STATUSES.includes(r.status);
    const queued = r.status === 'new' || r.status === 'claimed';
    if (open) tx.zadd(this.openKey, r.createdAt, r.id);
    else tx.zrem(this.openKey, r.id);
    if (queued) tx.zadd(this.queueKey, r.createdAt, r.id);
    else tx.zrem(this.queueKey, r.id);
    if (!open) {
      // Only clears the member's pointer if it still points at this request.
      tx.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1",
        1,
        this.openForKey(r.memberId),
        r.id,
      );
      tx.expire(this.key(r.id), this.retentionSeconds).expire(this.logKey(r.id), this.retentionSeconds);
    }
  }

  /** The member's open request id, if any. */
  async openIdFor(memberId: string): Promise<string | null> {
    const id = await this.redis.get(this.openForKey(memberId));
    return id && (await this.redis.exists(this.key(id))) ? id : null;
  }

  /** Place in the queue (1 = next) of a new or claimed request; null once scheduled or closed. */
  async position(id: string): Promise<number | null> {
    const rank = await this.redis.zrank(this.queueKey, id);
    return rank === null ? null : rank + 1;
  }

  /** How many requests are waiting (new or claimed). */
  async queueLength(): Promise<number> {
    return this.redis.zcard(this.queueKey);
  }

  /** Requests with one of these statuses (default: open ones), oldest first, at most `limit`. */
  async list(filter: { status?: RequestStatus[]; limit?: number } = {}): Promise<OneToOneRequest[]> {
    const statuses = filter.status ?? [...OPEN_STATUSES];
    const onlyOpen = statuses.every((s) => OPEN_STATUSES.includes(s));
    const ids = await this.redis.zrange(onlyOpen ? this.openKey : this.allKey, '0', '-1');
    const out: OneToOneRequest[] = [];
    const stale: string[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const raws = chunk.length ? await this.redis.mget(chunk.map((id) => this.key(id))) : [];
      raws.forEach((raw, j) => {
        if (!raw) return void stale.push(chunk[j] as string);
        const r = JSON.parse(raw) as OneToOneRequest;
        if (statuses.includes(r.status)) out.push(r);
      });
      if (filter.limit && out.length >= filter.limit) break;
    }
    // Closed requests expire after retention: drop them from the indexes as they are found.
    if (stale.length)
      await this.redis
        .multi()
        .zrem(this.allKey, ...stale)
        .zrem(this.openKey, ...stale)
        .exec();
    return filter.limit ? out.slice(0, filter.limit) : out;
  }

  /** Every request id of a member (open and closed). */
  async idsOf(memberId: string): Promise<string[]> {
    return this.redis.smembers(this.ofKey(memberId));
  }

  /** Deletes a request and its history outright (data deletion). */
  async delete(r: OneToOneRequest): Promise<void> {
    await this.redis
      .multi()
      .del(this.key(r.id), this.logKey(r.id))
      .zrem(this.allKey, r.id)
      .zrem(this.openKey, r.id)
      .zrem(this.queueKey, r.id)
      .srem(this.ofKey(r.memberId), r.id)
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1",
        1,
        this.openForKey(r.memberId),
        r.id,
      )
      .exec();
  }
}
