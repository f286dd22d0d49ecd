import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { MemberStore } from '../../src/domain/members';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/haven';

describe('join-code guessing across identities', () => {
  const prefix = uniquePrefix('join-guess');
  const redis = new Redis(REDIS_URL);
  const keys = new Keys(prefix);
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  it('a guesser who takes a new identity for every try still meets the limit for everyone together', async () => {
    const s = new MemberStore(redis, keys, {
      hashSecret: 'test-secret-0123456789',
      joinCodeTtlDays: 14,
      maxJoinFailures: 5,
      maxJoinFailuresAll: 10,
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
