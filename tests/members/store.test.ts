import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, MemberStore } from '../../src/domain/members';
import { MEMBER_LINK_READS, MemberLinkChangingError } from '../../src/domain/members/store';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/haven';
import { flappingBeforeEachScript } from '../support/redis';

describe('MemberStore', () => {
  const prefix = uniquePrefix('members');
  const keys = new Keys(prefix);
  let redis: Redis;
  const store = (opts: Partial<ConstructorParameters<typeof MemberStore>[2]> = {}) =>
    new MemberStore(redis, keys, { hashSecret: 'test-secret-0123456789', joinCodeTtlDays: 14, ...opts });

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  it('records consent with who gave it, when, and who added it; issues a short code with no look-alikes', async () => {
    const s = store();
    const before = Date.now();
    const { memberId, joinCode } = await s.add({ name: ' Sam ', consentBy: 'Jo Smith', addedBy: 'cli:coordinator' });
    expect(joinCode).toHaveLength(JOIN_CODE_LENGTH);
    for (const ch of joinCode) expect(JOIN_CODE_ALPHABET).toContain(ch);
    for (const lookAlike of '0O1IL5S2Z8B') expect(JOIN_CODE_ALPHABET).not.toContain(lookAlike);
    const m = await s.get(memberId);
    expect(m).toMatchObject({
      id: memberId,
      name: 'Sam',
      consentBy: 'Jo Smith',
      addedBy: 'cli:coordinator',
      links: [],
    });
    expect(m!.consentAt).toBeGreaterThanOrEqual(before);
    expect(m!.joinCodeExpiresAt).toBeGreaterThan(Date.now() + 13 * 24 * 3600_000);
  });

  it('stores only a hash of the code', async () => {
    const { joinCode } = await store().add({ name: 'Ava', consentBy: 'Pat', addedBy: 't' });
    const all = await redis.keys(`${prefix}:*`);
    for (const k of all) {
      expect(k.toUpperCase()).not.toContain(joinCode);
      const type = await redis.type(k);
      if (type === 'string') expect(((await redis.get(k)) ?? '').toUpperCase()).not.toContain(joinCode);
    }
  });

  it('links with a code typed any which way, once only; a member may link several identities', async () => {
    const s = store();
    const { memberId, joinCode } = await s.add({ name: 'Kai', consentBy: 'Lee', addedBy: 't' });
    const typed = `  ${joinCode.slice(0, 3).toLowerCase()} ${joinCode.slice(3, 5)}-${joinCode.slice(5)} `;
    expect(await s.redeem(typed, 'webchat.aaa')).toEqual({ outcome: 'linked', member: { id: memberId, name: 'Kai' } });
    expect(await s.redeem(joinCode, 'messenger.bbb')).toEqual({ outcome: 'used' });
    const code2 = await s.issueCode(memberId);
    expect(await s.redeem(code2, 'messenger.bbb')).toMatchObject({ outcome: 'linked' });
    expect((await s.get(memberId))!.links).toEqual(['messenger.bbb', 'webchat.aaa']);
    expect(await s.forConversation('messenger.bbb')).toEqual({ id: memberId, name: 'Kai' });
    await s.unlink('webchat.aaa');
    expect(await s.forConversation('webchat.aaa')).toBeNull();
    expect((await s.get(memberId))!.links).toEqual(['messenger.bbb']);
  });

  it('a new code replaces the old one', async () => {
    const s = store();
    const { memberId, joinCode } = await s.add({ name: 'Mo', consentBy: 'Lee', addedBy: 't' });
    await s.issueCode(memberId);
    expect(await s.redeem(joinCode, 'webchat.old')).toEqual({ outcome: 'invalid' });
  });

  it('refuses an expired code and says so', async () => {
    const past = store({ now: () => Date.now() - 15 * 24 * 3600_000 });
    const { joinCode } = await past.add({ name: 'Old', consentBy: 'Lee', addedBy: 't' });
    expect(await store().redeem(joinCode, 'webchat.exp')).toEqual({ outcome: 'expired' });
    expect(await store().forConversation('webchat.exp')).toBeNull();
  });

  it('rate-limits guessing per conversation, and other conversations are not affected', async () => {
    const s = store({ maxJoinFailures: 5 });
    const { joinCode } = await s.add({ name: 'Zed', consentBy: 'Lee', addedBy: 't' });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await s.redeem('ACEFGHJK', 'webchat.guess')).outcome);
    expect(outcomes.every((o) => o === 'invalid' || o === 'used')).toBe(true);
    expect((await s.redeem(joinCode, 'webchat.guess')).outcome).toBe('rate_limited');
    expect(await redis.ttl(keys.custom('joinfail', 'webchat.guess'))).toBeGreaterThan(3000);
    expect((await s.redeem(joinCode, 'webchat.other')).outcome).toBe('linked');
  });

  it('malformed codes count too', async () => {
    expect(await store().redeem('hello', 'webchat.mal')).toEqual({ outcome: 'malformed' });
    expect(await redis.get(keys.custom('joinfail', 'webchat.mal'))).toBe('1');
  });

  it('remove deletes the member, links and linked conversation state', async () => {
    const s = store();
    const { memberId, joinCode } = await s.add({ name: 'Rem', consentBy: 'Lee', addedBy: 't' });
    await s.redeem(joinCode, 'webchat.rem');
    await redis.set(keys.state('webchat.rem'), '{}');
    expect(await s.remove(memberId)).toEqual(['webchat.rem']);
    expect(await s.get(memberId)).toBeNull();
    expect(await s.forConversation('webchat.rem')).toBeNull();
    expect(await redis.exists(keys.state('webchat.rem'))).toBe(0);
    expect((await s.list()).map((m) => m.id)).not.toContain(memberId);
    expect(await s.remove(memberId)).toBeNull();
  });

  it("names the member a conversation's link holds when the record is read, not one it held before", async () => {
    const s = store();
    const ana = await s.add({ name: 'Ana', consentBy: 'Lee', addedBy: 't' });
    const ben = await s.add({ name: 'Ben', consentBy: 'Lee', addedBy: 't' });
    await s.link('webchat.relink', ben.memberId);
    // The caller (the engine, with its lock) read the link while it held Ana; it was relinked since.
    expect(await s.forConversation('webchat.relink', ana.memberId)).toEqual({ id: ben.memberId, name: 'Ben' });
    expect(await s.forConversation('webchat.relink', ben.memberId)).toEqual({ id: ben.memberId, name: 'Ben' });
    expect(await s.forConversation('webchat.relink')).toEqual({ id: ben.memberId, name: 'Ben' });
    // Read while it held Ben; unlinked since.
    await s.unlink('webchat.relink');
    expect(await s.forConversation('webchat.relink', ben.memberId)).toBeNull();
    // Read as unlinked: nobody, as it was when read (nothing more is asked of Redis).
    await s.link('webchat.relink', ana.memberId);
    expect(await s.forConversation('webchat.relink', null)).toBeNull();
    expect(await s.forConversation('webchat.relink')).toEqual({ id: ana.memberId, name: 'Ana' });
    // A link to a member whose record is gone names nobody.
    await redis.del(keys.custom('member', ana.memberId));
    expect(await s.forConversation('webchat.relink', ana.memberId)).toBeNull();
  });

  it('fails clearly when the link changes on every read, rather than name a member it no longer holds', async () => {
    const s = store();
    const ids = [
      (await s.add({ name: 'Cy', consentBy: 'Lee', addedBy: 't' })).memberId,
      (await s.add({ name: 'Di', consentBy: 'Lee', addedBy: 't' })).memberId,
    ];
    const link = s.linkKey('webchat.flap');
    await redis.set(link, ids[0]!);
    // Redis knows the script from here on (it is run by its hash).
    expect(await s.forConversation('webchat.flap')).toMatchObject({ name: 'Cy' });
    // Each time the store runs its script, the conversation is relinked to the other member first.
    const flapping = flappingBeforeEachScript(redis, link, ids);
    const flappy = new MemberStore(flapping.redis, keys, { hashSecret: 'test-secret-0123456789', joinCodeTtlDays: 14 });
    await expect(flappy.forConversation('webchat.flap')).rejects.toBeInstanceOf(MemberLinkChangingError);
    expect(flapping.runs()).toBe(MEMBER_LINK_READS);
    // Once it settles, the member it holds.
    expect(await s.forConversation('webchat.flap', ids[0]!)).toMatchObject({ id: await redis.get(link) });
  });
});
