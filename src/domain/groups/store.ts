import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { groupKeys } from './keys';
import { GroupError, type GroupPlace, type GroupSession } from './types';

/** Replaces a key's value only if it still holds what was read (optimistic concurrency), keeping its TTL. */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

/**
 * Moves people from the waiting list (oldest first) to booked while there is room and the
 * session is on and not started; returns the member ids promoted. KEYS: session, places, booked,
 * waiting; ARGV[2]: now.
 */
const FILL = `
local function fill(now)
  local promoted = {}
  local raw = redis.call('GET', KEYS[1])
  if not raw then return promoted end
  local s = cjson.decode(raw)
  if s.status ~= 'scheduled' or now >= s.at then return promoted end
  while redis.call('ZCARD', KEYS[3]) < s.capacity do
    local first = redis.call('ZRANGE', KEYS[4], 0, 0)
    if #first == 0 then break end
    local id = first[1]
    redis.call('ZREM', KEYS[4], id)
    local p = redis.call('HGET', KEYS[2], id)
    if p then
      local place = cjson.decode(p)
      place.status = 'booked'
      redis.call('HSET', KEYS[2], id, cjson.encode(place))
      redis.call('ZADD', KEYS[3], now, id)
      promoted[#promoted + 1] = id
    end
  end
  return promoted
end
`;

/**
 * Signs a member up: booked while there is room, else on the waiting list when ARGV[6] is '1'.
 * KEYS: session, places, booked, waiting, the member's sessions. ARGV: member id, place JSON as
 * booked, place JSON as waiting, now, expiry (ms), waiting allowed. Returns [outcome, place JSON].
 */
const SIGN_UP = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'none', ''} end
local s = cjson.decode(raw)
local now = tonumber(ARGV[4])
if s.status ~= 'scheduled' then return {'closed', ''} end
if now >= s.at then return {'started', ''} end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {'already', existing} end
local outcome = 'booked'
local place = ARGV[2]
if redis.call('ZCARD', KEYS[3]) < s.capacity then
  redis.call('ZADD', KEYS[3], now, ARGV[1])
elseif ARGV[6] == '1' then
  outcome = 'waiting'
  place = ARGV[3]
  redis.call('ZADD', KEYS[4], now, ARGV[1])
else
  return {'full', ''}
end
redis.call('HSET', KEYS[2], ARGV[1], place)
redis.call('SADD', KEYS[5], s.id)
for i = 2, 4 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
if redis.call('PTTL', KEYS[5]) < tonumber(ARGV[5]) - now then redis.call('PEXPIREAT', KEYS[5], ARGV[5]) end
return {outcome, place}
`;

/**
 * Takes a member off a session (booked or waiting) and fills a freed place from the waiting list.
 * KEYS: session, places, booked, waiting, the member's sessions. ARGV: member id, now, session id.
 * Returns [was ('booked' | 'waiting' | 'none'), promoted member ids...].
 */
const LEAVE = `${FILL}
local p = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[3])
if not p then return {'none'} end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
local was = 'waiting'
if redis.call('ZREM', KEYS[3], ARGV[1]) == 1 then was = 'booked' end
local out = {was}
if was == 'booked' then
  for _, id in ipairs(fill(tonumber(ARGV[2]))) do out[#out + 1] = id end
end
return out
`;

/** Fills free places from the waiting list (after capacity went up). KEYS as {@link FILL}; ARGV[1]: now. */
const FILL_NOW = `${FILL}
return fill(tonumber(ARGV[1]))
`;

/**
 * Peer support group sessions in Redis. This module owns these keys and no other reads them:
 * `grp:{id}` (the session, JSON), `grpplaces:{id}` (hash: member id → place JSON),
 * `grpbook:{id}` and `grpwait:{id}` (booked and waiting member ids, sorted by when they got
 * there), `grps:all` (session ids by start time) and `grpsof:{memberId}` (a member's sessions,
 * for "my sign-ups" and erasure). Every session key expires the retention period after the
 * session ends (GROUP_RETENTION_DAYS), so sign-ups are not kept longer.
 */
export class GroupStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly retentionMs: number,
  ) {}

  private key = (id: string) => groupKeys(this.keys).group(id);
  private placesKey = (id: string) => groupKeys(this.keys).places(id);
  private bookKey = (id: string) => groupKeys(this.keys).booked(id);
  private waitKey = (id: string) => groupKeys(this.keys).waiting(id);
  private ofKey = (memberId: string) => groupKeys(this.keys).of(memberId);
  private get allKey() {
    return groupKeys(this.keys).all();
  }
  private sessionKeys(id: string, memberId = '') {
    return [this.key(id), this.placesKey(id), this.bookKey(id), this.waitKey(id), this.ofKey(memberId)];
  }

  /** When a session's records expire: the retention period after it ends (or after now, if later). */
  expiresAt(s: GroupSession, now: number): number {
    return Math.max(s.at + s.minutes * 60_000, now) + this.retentionMs;
  }

  async create(s: GroupSession): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(s.id), JSON.stringify(s), 'PXAT', this.expiresAt(s, s.createdAt))
      .zadd(this.allKey, s.at, s.id)
      .exec();
  }

  async get(id: string): Promise<GroupSession | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as GroupSession) : null;
  }

  /**
   * Applies `change` to the stored session (retrying if someone else changed it meanwhile) and
   * moves every key's expiry with it. `change` throws a {@link GroupError} to refuse.
   */
  async update(
    id: string,
    change: (s: GroupSession) => GroupSession,
    now: number,
  ): Promise<{ before: GroupSession; after: GroupSession }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.get(this.key(id));
      if (!raw) throw new GroupError('NOT_FOUND', 'there is no group session with that id');
      const before = JSON.parse(raw) as GroupSession;
      const after = { ...change(structuredClone(before)), version: before.version + 1, updatedAt: now };
      const ok = await this.redis.eval(COMPARE_AND_SET, 1, this.key(id), raw, JSON.stringify(after));
      if (ok !== 1) continue;
      const until = this.expiresAt(after, now);
      await this.redis
        .multi()
        .zadd(this.allKey, after.at, id)
        .pexpireat(this.key(id), until)
        .pexpireat(this.placesKey(id), until)
        .pexpireat(this.bookKey(id), until)
        .pexpireat(this.waitKey(id), until)
        .exec();
      return { before, after };
    }
    throw new Error(`group session ${id} is changing too often; try again`);
  }

  /** Sessions starting at or after `from` (ms), soonest first; index entries of expired ones are dropped. */
  async listFrom(from: number, limit = 200): Promise<GroupSession[]> {
    const ids = await this.redis.zrangebyscore(this.allKey, from, '+inf', 'LIMIT', 0, limit);
    return this.load(ids);
  }

  /** Every session still held (past ones until their retention ends), latest first. */
  async listAll(limit = 500): Promise<GroupSession[]> {
    const ids = await this.redis.zrevrange(this.allKey, 0, limit - 1);
    return this.load(ids);
  }

  private async load(ids: string[]): Promise<GroupSession[]> {
    if (!ids.length) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key(id)));
    const stale = ids.filter((_, i) => !raws[i]);
    if (stale.length) await this.redis.zrem(this.allKey, ...stale);
    return raws.filter((r): r is string => Boolean(r)).map((r) => JSON.parse(r) as GroupSession);
  }

  /**
   * Signs a member up. `booked` when there was room; `waiting` (only with `allowWaiting`) when
   * full; `full` when full and the waiting list was not asked for; `already` with their place;
   * `closed` (cancelled), `started` or `none` (no such session).
   */
  async signUp(
    s: GroupSession,
    place: Omit<GroupPlace, 'status'>,
    now: number,
    allowWaiting: boolean,
  ): Promise<{
    outcome: 'booked' | 'waiting' | 'full' | 'already' | 'closed' | 'started' | 'none';
    place?: GroupPlace;
  }> {
    const booked: GroupPlace = { ...place, status: 'booked' };
    const waiting: GroupPlace = { ...place, status: 'waiting' };
    const [outcome, json] = (await this.redis.eval(
      SIGN_UP,
      5,
      ...this.sessionKeys(s.id, place.memberId),
      place.memberId,
      JSON.stringify(booked),
      JSON.stringify(waiting),
      String(now),
      String(this.expiresAt(s, now)),
      allowWaiting ? '1' : '0',
    )) as [string, string];
    return {
      outcome: outcome as 'booked',
      place: json ? (JSON.parse(json) as GroupPlace) : undefined,
    };
  }

  /** Takes a member off a session; a freed booked place goes to the first on the waiting list. */
  async leave(
    id: string,
    memberId: string,
    now: number,
  ): Promise<{ was: 'booked' | 'waiting' | 'none'; promoted: string[] }> {
    const [was, ...promoted] = (await this.redis.eval(
      LEAVE,
      5,
      ...this.sessionKeys(id, memberId),
      memberId,
      String(now),
      id,
    )) as string[];
    return { was: was as 'booked', promoted };
  }

  /** Fills free places from the waiting list; returns who was promoted. */
  async fill(id: string, now: number): Promise<string[]> {
    return (await this.redis.eval(FILL_NOW, 4, ...this.sessionKeys(id).slice(0, 4), String(now))) as string[];
  }

  /** Booked places (in the order they got them), then the waiting list (first in line first). */
  async places(id: string): Promise<{ booked: GroupPlace[]; waiting: GroupPlace[] }> {
    const [all, bookedIds, waitingIds] = await Promise.all([
      this.redis.hgetall(this.placesKey(id)),
      this.redis.zrange(this.bookKey(id), '0', '-1'),
      this.redis.zrange(this.waitKey(id), '0', '-1'),
    ]);
    const pick = (ids: string[]) =>
      ids
        .map((m) => all[m])
        .filter((p): p is string => Boolean(p))
        .map((p) => JSON.parse(p) as GroupPlace);
    return { booked: pick(bookedIds), waiting: pick(waitingIds) };
  }

  /** One member's place on a session, or null. */
  async place(id: string, memberId: string): Promise<GroupPlace | null> {
    const raw = await this.redis.hget(this.placesKey(id), memberId);
    return raw ? (JSON.parse(raw) as GroupPlace) : null;
  }

  /** Where a member is on the waiting list (1 = next), or null. */
  async waitingPosition(id: string, memberId: string): Promise<number | null> {
    const rank = await this.redis.zrank(this.waitKey(id), memberId);
    return rank === null ? null : rank + 1;
  }

  /** How many places are booked. */
  bookedCount(id: string): Promise<number> {
    return this.redis.zcard(this.bookKey(id));
  }

  /** Changes a place's record (attendance, a delivery note); false when they are not on the list. */
  async updatePlace(id: string, memberId: string, change: (p: GroupPlace) => GroupPlace): Promise<boolean> {
    const script = `
local p = redis.call('HGET', KEYS[1], ARGV[1])
if p ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.hget(this.placesKey(id), memberId);
      if (!raw) return false;
      const next = JSON.stringify(change(JSON.parse(raw) as GroupPlace));
      if ((await this.redis.eval(script, 1, this.placesKey(id), memberId, raw, next)) === 1) return true;
    }
    throw new Error('a place is changing too often; try again');
  }

  /** The session ids a member is (or was) on. */
  sessionsOf(memberId: string): Promise<string[]> {
    return this.redis.smembers(this.ofKey(memberId));
  }
}
