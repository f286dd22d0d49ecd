import { PlatformRefusedError, PlatformUnavailableError } from '../../src/common/errors';
import { backoffDelay } from '../../src/engine/queues';

/** How long a failed job waits before its next attempt (the queues' backoff strategy). */
describe('backoffDelay', () => {
  it('doubles from 1 s per attempt when the platform gave no Retry-After, capped at 5 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(backoffDelay(0)).toBe(1000);
    expect(backoffDelay(9)).toBe(256_000);
    expect(backoffDelay(10)).toBe(5 * 60_000);
    expect(backoffDelay(15)).toBe(5 * 60_000);
    expect(backoffDelay(3, new Error('connection reset'))).toBe(4000);
  });

  it("takes the platform's Retry-After over the backoff, whatever the attempt", () => {
    const limited = (ms: number) => new PlatformRefusedError('rate limited', 429, { retryAfterMs: ms });
    expect(backoffDelay(1, limited(7000))).toBe(7000);
    expect(backoffDelay(8, limited(7000))).toBe(7000);
    expect(backoffDelay(1, limited(0))).toBe(0);
    expect(backoffDelay(2, new PlatformUnavailableError('503', { retryAfterMs: 30_000 }))).toBe(30_000);
    // A refusal without Retry-After backs off as usual.
    expect(backoffDelay(2, new PlatformRefusedError('rate limited', 429))).toBe(2000);
    expect(backoffDelay(2, new PlatformUnavailableError('503'))).toBe(2000);
  });

  it('waits at most 15 minutes however long a Retry-After asks for', () => {
    const asked = new PlatformRefusedError('rate limited', 429, { retryAfterMs: 24 * 3600_000 });
    expect(backoffDelay(1, asked)).toBe(15 * 60_000);
  });
});
