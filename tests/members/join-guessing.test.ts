import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { MemberStore } from '../../src/domain/members';
import type { MemberStoreOptions } from '../../src/domain/members/store';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/haven';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
/** A member store on a prefix of its own: the counters for everyone together are per store. */
function newStore(opts: MemberStoreOptions): MemberStore {
  const prefix = uniquePrefix('join-guess');
  prefixes.push(prefix);
  return new MemberStore(redis, new Keys(prefix), opts);
}
/** A clock stopped at the moment it is made. */
function fixedClock(): () => number {
  const at = Date.now();
  return () => at;
}
afterAll(async () => {
  for (const p of prefixes) await cleanupPrefix(p);
  await redis.quit();
});

describe('join-code guessing across identities', () => {
  it('a guesser who takes a new identity for every try still meets the limit for everyone together', async () => {
    const s = newStore({
      hashSecret: 'test-secret-0123456789',
      joinCodeTtlDays: 14,
      maxJoinFailures: 5,
      maxJoinFailuresAll: 10,
      // The counts are per clock hour: a fixed clock, so the hour cannot turn during the test.
      now: fixedClock(),
    });
    const { joinCode } = await s.add({ name: 'Ada', consentBy: 'Lee', addedBy: 't' });
    // A new web chat id for each guess: the per-conversation limit never bites.
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) outcomes.push((await s.redeem('ACEFGHJK', `webchat.rotating-${i}`)).outcome);
    expect(outcomes.slice(0, 10).every((o) => o === 'invalid')).toBe(true);
    expect(outcomes.slice(10)).toEqual(['rate_limited', 'rate_limited']);
    // Even the right code waits: the codes cannot be found by guessing from many identities.
    expect((await s.redeem(joinCode, 'webchat.rotating-right')).outcome).toBe('rate_limited');
  });
});

describe('join-code guessing from one address', () => {
  it('a guesser with a new identity for every try meets the limit for their address; others are not held up', async () => {
    const s = newStore({
      hashSecret: 'test-secret-0123456789',
      joinCodeTtlDays: 14,
      maxJoinFailures: 5,
      maxJoinFailuresAll: 1000,
      maxJoinFailuresPerAddress: 4,
      // The counts are per clock hour: a fixed clock, so the hour cannot turn during the test.
      now: fixedClock(),
    });
    const { joinCode } = await s.add({ name: 'Ada', consentBy: 'Lee', addedBy: 't' });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++)
      outcomes.push((await s.redeem('ACEFGHJK', `webchat.addr-${i}`, { origin: 'guesser' })).outcome);
    expect(outcomes).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'rate_limited', 'rate_limited']);
    // From that address even the right code waits; from another address it works.
    expect((await s.redeem(joinCode, 'webchat.addr-right', { origin: 'guesser' })).outcome).toBe('rate_limited');
    expect((await s.redeem(joinCode, 'webchat.elsewhere', { origin: 'school' })).outcome).toBe('linked');
  });
});

describe('a join code retired by many wrong guesses', () => {
  it('stops working once that many wrong codes were tried by anyone since it was issued; a new code works', async () => {
    const s = newStore({
      hashSecret: 'test-secret-0123456789',
      joinCodeTtlDays: 14,
      maxJoinFailures: 1000,
      maxJoinFailuresAll: 1000,
      retireCodeAfterFailures: 6,
    });
    const a = await s.add({ name: 'Ada', consentBy: 'Lee', addedBy: 't' });
    // Guesses spread over many identities and addresses: no per-sender limit bites.
    for (let i = 0; i < 5; i++) await s.redeem('ACEFGHJK', `webchat.spread-${i}`, { origin: `addr-${i}` });
    // A code issued after those guesses counts only the ones after it.
    const b = await s.add({ name: 'Bo', consentBy: 'Kim', addedBy: 't' });
    await s.redeem('ACEFGHJK', 'webchat.spread-5', { origin: 'addr-5' });
    // Six wrong codes since Ada's was issued: retired. One since Bo's: still works.
    expect(await s.redeem(a.joinCode, 'webchat.ada')).toEqual({ outcome: 'retired' });
    expect((await s.redeem(b.joinCode, 'webchat.bo')).outcome).toBe('linked');
    // Trying a retired code is not itself a guess: it does not count towards anything.
    expect(await s.redeem(a.joinCode, 'webchat.ada')).toEqual({ outcome: 'retired' });
    // Staff see which code was switched off (the dashboard's member list says so).
    const listed = async () => new Map((await s.list()).map((m) => [m.name, m.joinCodeRetired]));
    expect(await listed()).toEqual(
      new Map([
        ['Ada', true],
        ['Bo', undefined],
      ]),
    );
    // The coordinator issues Ada a new code, and it works.
    const fresh = await s.issueCode(a.memberId);
    expect((await listed()).get('Ada')).toBe(false);
    expect((await s.redeem(fresh, 'webchat.ada')).outcome).toBe('linked');
  });
});
