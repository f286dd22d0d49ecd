import { LuaScript } from '../../common/script';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { MemberLookup, MemberRef } from './types';
import type { Keys } from '../../engine/keys';
import { hashJoinCode, newJoinCode, normaliseJoinCode } from './join-code';
import { HavenError } from '../../common/errors';
import { memberKeys, memberPrivateKeys } from './keys';

/** A young person whose parent or guardian signed the consent form. */
export interface Member {
  id: string;
  /** The name youth workers know them by (a first name is enough). */
  name: string;
  /** Who gave consent (the parent or guardian who signed). */
  consentBy: string;
  /** When consent was given (ms since epoch). */
  consentAt: number;
  /** Who recorded the member (a staff name, or `cli:<user>`). */
  addedBy: string;
  createdAt: number;
  /** When the current join code stops working (ms); absent once used or never issued. */
  joinCodeExpiresAt?: number;
  /** Wrong codes from everyone, ever, when the current code was issued (see {@link MemberStore.redeem}). */
  joinCodeFailuresAtIssue?: number;
  /** Set by {@link MemberStore.list}: the current code was switched off by many wrong guesses since it was issued. */
  joinCodeRetired?: boolean;
}

/** A member with the pseudonymous conversation ids linked to them. */
export type MemberWithLinks = Member & { links: string[] };

/** What became of a `join CODE`. */
export type JoinOutcome =
  | { outcome: 'linked'; member: MemberRef }
  | { outcome: 'malformed' | 'invalid' | 'expired' | 'used' | 'rate_limited' | 'retired' };

/** Where a `join CODE` came from, beyond its conversation. */
export interface JoinOrigin {
  /**
   * A keyed hash of the network address it came from, where the channel sees the sender's own
   * address (the web chat): a guesser who makes a new browser id for every try still has one.
   */
  origin?: string;
}

/** Options for a {@link MemberStore}. */
export interface MemberStoreOptions {
  /** Keys the stored hash of each join code (ID_HASH_SECRET). */
  hashSecret: string;
  /** How long a join code works (JOIN_CODE_TTL_DAYS). */
  joinCodeTtlDays: number;
  /** Wrong codes allowed per conversation per window before `join` is refused (default 5). */
  maxJoinFailures?: number;
  /** The window for {@link maxJoinFailures} in seconds (default one hour). */
  joinFailureWindowSeconds?: number;
  /**
   * Wrong codes from everyone together in that window before every join waits (default 200): a
   * guesser who changes identity each time (a new web chat id) still meets this, so the codes
   * alive at once (21^8 possible) cannot be found by guessing.
   */
  maxJoinFailuresAll?: number;
  /** Wrong codes from one network address in that window before joins from it wait (default 20). */
  maxJoinFailuresPerAddress?: number;
  /**
   * Wrong codes from everyone together, counted from when a code was issued, after which that code
   * stops working (default 2,000): however many identities and addresses a guesser uses, no code
   * meets more than this many guesses, so a code among 21^8 cannot be found (see {@link redeem}).
   */
  retireCodeAfterFailures?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/** How long after expiry a code is still recognised, so its owner hears "expired" rather than "wrong". */
const EXPIRED_GRACE_SECONDS = 30 * 24 * 3600;

interface CodeRecord {
  memberId: string;
  expiresAt: number;
  /** Wrong codes from everyone, ever, when this code was issued (absent on codes issued before it was kept). */
  failuresAtIssue?: number;
}

/**
 * KEYS: a conversation's member link, the record of the member it was read to name. ARGV: that
 * member's id. Returns {1, the record (nil when there is none)} when the link still names that
 * member, else {0, the id it names now (nil when none)}: the record read is then another member's
 * key, so the caller reads again with the right one. Every key it touches is declared.
 */
const MEMBER_IF_LINKED = new LuaScript(`
local id = redis.call('get', KEYS[1])
if id ~= ARGV[1] then return {0, id} end
return {1, redis.call('get', KEYS[2])}
`);

/**
 * Reads of a conversation's member in a row that may find its link changed since it was read
 * (each read names the member the link named a moment before): links change at the pace of
 * people typing codes, so more than a couple means something is wrong.
 */
export const MEMBER_LINK_READS = 5;

export { memberKeys };

/**
 * Members, consent and channel links in Redis.
 *
 * Keys: `member:{id}` (JSON), `members:all` (sorted by creation), `memberlinks:{id}` (the set of
 * conversation ids linked to a member), `memberlink:{conversationId}` (its member id),
 * `joincode:{hash}` (only a keyed hash of a join code is stored), `joinused:{hash}` (single use),
 * `joinfail:{conversationId}` (wrong-code counter for rate limiting).
 */
export class MemberStore implements MemberLookup {
  private readonly layout: ReturnType<typeof memberKeys>;
  private readonly now: () => number;
  private readonly maxFailures: number;
  private readonly failureWindow: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly opts: MemberStoreOptions,
  ) {
    this.layout = memberKeys(keys);
    this.now = opts.now ?? Date.now;
    this.maxFailures = opts.maxJoinFailures ?? 5;
    this.failureWindow = opts.joinFailureWindowSeconds ?? 3600;
  }

  private memberKey = (id: string) => this.layout.member(id);
  private get own() {
    return memberPrivateKeys(this.keys);
  }
  private linksKey = (id: string) => this.own.links(id);
  /** Where a conversation's link to its member is (its value: the member id), for a caller to read it with its own. */
  linkKey(conversationId: string): string {
    return this.layout.link(conversationId);
  }
  private codeKey = (hash: string) => this.own.joinCode(hash);
  private usedKey = (hash: string) => this.own.joinUsed(hash);
  private failKey = (conversationId: string) => this.own.joinFailures(conversationId);
  private codeIndexKey = (id: string) => this.own.codeOf(id);
  private get allKey() {
    return this.own.all();
  }

  /**
   * Registers a young person whose parent or guardian signed the consent form, and issues their
   * first join code. The code is returned once and only its hash is kept.
   */
  async add(input: {
    name: string;
    consentBy: string;
    addedBy: string;
    consentAt?: number;
  }): Promise<{ memberId: string; joinCode: string }> {
    const now = this.now();
    const member: Member = {
      id: randomUUID(),
      name: input.name.trim(),
      consentBy: input.consentBy.trim(),
      consentAt: input.consentAt ?? now,
      addedBy: input.addedBy,
      createdAt: now,
    };
    await this.redis
      .multi()
      .set(this.memberKey(member.id), JSON.stringify(member))
      .zadd(this.allKey, now, member.id)
      .exec();
    const joinCode = await this.issueCode(member.id);
    return { memberId: member.id, joinCode };
  }

  /** A new join code for a member (the previous one stops working). Null when there is no such member. */
  async issueCode(memberId: string): Promise<string> {
    const member = await this.get(memberId);
    if (!member) throw new MemberNotFoundError(memberId);
    const now = this.now();
    const code = newJoinCode();
    const hash = hashJoinCode(code, this.opts.hashSecret);
    const expiresAt = now + this.opts.joinCodeTtlDays * 24 * 3600_000;
    const ttl = Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)) + EXPIRED_GRACE_SECONDS;
    const [previous, failures] = await this.redis.mget(this.codeIndexKey(memberId), this.own.joinFailuresTotal());
    const record: CodeRecord = { memberId, expiresAt, failuresAtIssue: Number(failures ?? 0) };
    const { links: _links, ...plain } = member;
    const tx = this.redis
      .multi()
      .set(this.codeKey(hash), JSON.stringify(record), 'EX', ttl)
      .set(this.codeIndexKey(memberId), hash, 'EX', ttl)
      .set(
        this.memberKey(memberId),
        JSON.stringify({ ...plain, joinCodeExpiresAt: expiresAt, joinCodeFailuresAtIssue: record.failuresAtIssue }),
      );
    if (previous && previous !== hash) tx.del(this.codeKey(previous));
    await tx.exec();
    return code;
  }

  /**
   * `join CODE` from a conversation: checks the limits, then the code (known, not expired, not
   * used, not retired), and links the conversation to the member. Wrong, expired and used codes all
   * count towards the limits.
   *
   * Guessing is bounded three ways. Per conversation (5 wrong codes an hour) and per network address
   * where the channel knows it (20 an hour: a web chat guesser who makes a new browser id for every
   * try), and from everyone together (200 an hour, after which every join waits). And a code stops
   * working ("retired") once 2,000 wrong codes have been tried by anyone since it was issued: with
   * 21^8 (3.8e10) possible codes, no code can then meet more than a 1 in 19 million chance of being
   * guessed, however the guessing is spread. An ordinary month has a handful of mistyped codes, so
   * only a guessing attack retires codes; the coordinator then issues new ones.
   */
  async redeem(typed: string, conversationId: string, from: JoinOrigin = {}): Promise<JoinOutcome> {
    const window = Math.floor(this.now() / 1000 / this.failureWindow);
    const allKey = this.own.joinFailuresAll(window);
    const fromKey = from.origin ? this.own.joinFailuresFrom(from.origin, window) : undefined;
    const [mine, all, fromHere] = await this.redis.mget(this.failKey(conversationId), allKey, fromKey ?? allKey);
    if (
      Number(mine ?? 0) >= this.maxFailures ||
      Number(all ?? 0) >= (this.opts.maxJoinFailuresAll ?? 200) ||
      (fromKey && Number(fromHere ?? 0) >= (this.opts.maxJoinFailuresPerAddress ?? 20))
    )
      return { outcome: 'rate_limited' };
    const code = normaliseJoinCode(typed);
    const outcome = code ? await this.tryCode(code, conversationId) : ({ outcome: 'malformed' } as const);
    if (outcome.outcome === 'linked') {
      await this.redis.del(this.failKey(conversationId));
      return outcome;
    }
    // A retired code was a real code, not a guess: it does not count again.
    if (outcome.outcome !== 'retired') {
      const tx = this.redis
        .multi()
        .incr(this.failKey(conversationId))
        .expire(this.failKey(conversationId), this.failureWindow, 'NX')
        .incr(allKey)
        .expire(allKey, this.failureWindow * 2, 'NX')
        .incr(this.own.joinFailuresTotal());
      if (fromKey) tx.incr(fromKey).expire(fromKey, this.failureWindow * 2, 'NX');
      await tx.exec();
    }
    return outcome;
  }

  /** A code issued when `atIssue` wrong codes had been tried, with `total` tried now: switched off? */
  private retired(atIssue: number, total: string | null | undefined): boolean {
    return Number(total ?? 0) - atIssue >= (this.opts.retireCodeAfterFailures ?? 2000);
  }

  private async tryCode(code: string, conversationId: string): Promise<JoinOutcome> {
    const hash = hashJoinCode(code, this.opts.hashSecret);
    const [raw, total] = await this.redis.mget(this.codeKey(hash), this.own.joinFailuresTotal());
    if (!raw) return { outcome: 'invalid' };
    const record = JSON.parse(raw) as CodeRecord;
    if (await this.redis.exists(this.usedKey(hash))) return { outcome: 'used' };
    if (record.expiresAt <= this.now()) return { outcome: 'expired' };
    if (this.retired(record.failuresAtIssue ?? 0, total)) return { outcome: 'retired' };
    const member = await this.get(record.memberId);
    if (!member) return { outcome: 'invalid' };
    // Single use, atomically: only the first to mark it used gets in.
    const first = await this.redis.set(this.usedKey(hash), '1', 'EX', EXPIRED_GRACE_SECONDS, 'NX');
    if (first !== 'OK') return { outcome: 'used' };
    await this.link(conversationId, member.id);
    const { links: _links, joinCodeExpiresAt: _used, joinCodeFailuresAtIssue: _at, ...plain } = member;
    await this.redis.set(this.memberKey(member.id), JSON.stringify(plain));
    return { outcome: 'linked', member: { id: member.id, name: member.name } };
  }

  /** Links one channel identity (a pseudonymous conversation id) to a member; a member may have several. */
  async link(conversationId: string, memberId: string): Promise<void> {
    const old = await this.redis.get(this.linkKey(conversationId));
    const tx = this.redis.multi();
    if (old && old !== memberId) tx.srem(this.linksKey(old), conversationId);
    await tx.set(this.linkKey(conversationId), memberId).sadd(this.linksKey(memberId), conversationId).exec();
  }

  /** Unlinks one channel identity. */
  async unlink(conversationId: string): Promise<void> {
    const memberId = await this.redis.get(this.linkKey(conversationId));
    const tx = this.redis.multi().del(this.linkKey(conversationId));
    if (memberId) tx.srem(this.linksKey(memberId), conversationId);
    await tx.exec();
  }

  /**
   * The member a conversation is linked to, or null. `linked`: the member id its link
   * ({@link linkKey}) was read to hold by the caller, or null for none (the engine reads it with the
   * conversation's lock, in the same step); without it, the link is read first. The member's record
   * is then read by a script that checks the link still names that member (every key it touches
   * declared, so it works with keys spread over a cluster's slots as long as the two share one):
   * a link changed in between is read again, at most {@link MEMBER_LINK_READS} times.
   */
  async forConversation(conversationId: string, linked?: string | null): Promise<MemberRef | null> {
    const linkKey = this.linkKey(conversationId);
    let id = linked === undefined ? await this.redis.get(linkKey) : linked;
    for (let reads = 1; id; reads++) {
      const [same, value] = (await MEMBER_IF_LINKED.run(this.redis, 2, linkKey, this.memberKey(id), id)) as [
        0 | 1,
        string | null,
      ];
      if (same === 1) {
        if (!value) return null;
        const member = JSON.parse(value) as Member;
        return { id: member.id, name: member.name };
      }
      if (reads >= MEMBER_LINK_READS) throw new MemberLinkChangingError(conversationId, reads);
      id = value;
    }
    return null;
  }

  /** One member with their linked conversation ids, or null. */
  async get(memberId: string): Promise<MemberWithLinks | null> {
    const [[, raw], [, links]] = (await this.redis
      .multi()
      .get(this.memberKey(memberId))
      .smembers(this.linksKey(memberId))
      .exec()) as [[Error | null, string | null], [Error | null, string[]]];
    return raw ? { ...(JSON.parse(raw) as Member), links: links.sort() } : null;
  }

  /** Every member, oldest first. */
  async list(): Promise<MemberWithLinks[]> {
    const [ids, total] = await Promise.all([
      this.redis.zrange(this.allKey, '0', '-1'),
      this.redis.get(this.own.joinFailuresTotal()),
    ]);
    const out: MemberWithLinks[] = [];
    for (const id of ids) {
      const m = await this.get(id);
      if (!m) continue;
      if (m.joinCodeExpiresAt && m.joinCodeFailuresAtIssue !== undefined)
        m.joinCodeRetired = this.retired(m.joinCodeFailuresAtIssue, total);
      out.push(m);
    }
    return out;
  }

  /**
   * Removes every channel link of a member and the conversation state of each linked
   * conversation. The member record (name and consent) stays. Returns the conversations unlinked.
   */
  async unlinkAll(memberId: string): Promise<string[]> {
    const links = await this.redis.smembers(this.linksKey(memberId));
    const tx = this.redis.multi().del(this.linksKey(memberId));
    for (const c of links) tx.del(this.linkKey(c), this.keys.state(c), this.failKey(c));
    await tx.exec();
    return links;
  }

  /**
   * Removes a member entirely: record, join code, channel links and the linked conversations'
   * state. (Open requests are the request service's to cancel: see `eraseMember`.) Returns the
   * conversations that were linked, or null when there was no such member.
   */
  async remove(memberId: string): Promise<string[] | null> {
    if (!(await this.redis.exists(this.memberKey(memberId)))) return null;
    const links = await this.unlinkAll(memberId);
    const hash = await this.redis.get(this.codeIndexKey(memberId));
    const tx = this.redis
      .multi()
      .del(this.memberKey(memberId), this.codeIndexKey(memberId))
      .zrem(this.allKey, memberId);
    if (hash) tx.del(this.codeKey(hash), this.usedKey(hash));
    await tx.exec();
    return links;
  }
}

/** Thrown when a conversation's member link changed every time it was read ({@link MEMBER_LINK_READS}). */
export class MemberLinkChangingError extends HavenError {
  constructor(conversationId: string, reads: number) {
    super(`the member link of a conversation changed on each of ${reads} reads`, 'MEMBER_LINK_CHANGING', {
      context: { conversationId },
    });
  }
}

/** Thrown when a member id is unknown. */
export class MemberNotFoundError extends HavenError {
  constructor(memberId: string) {
    super(`no member with id ${memberId}`, 'MEMBER_NOT_FOUND', { permanent: true, context: { memberId } });
  }
}
