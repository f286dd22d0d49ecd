import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../engine/keys';
import { staffKeys } from './keys';

/** Sign-in attempt limits: per account and per address, in a fixed window. */
export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perIp: 20, windowSeconds: 15 * 60 };

/**
 * Counts sign-in attempts in Redis (so every process shares the count). An account's count is
 * cleared when it signs in; an address's count is not.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  private key(kind: 'acct' | 'ip', value: string) {
    const h = createHash('sha256').update(value).digest('base64url').slice(0, 22);
    return staffKeys(this.keys).login(kind, h);
  }

  /** Counts one attempt; `retryAfterSeconds` is set when it is over either limit. */
  async hit(ip: string, email: string): Promise<{ allowed: boolean; retryAfterSeconds?: number }> {
    const a = this.key('acct', email.trim().toLowerCase());
    const i = this.key('ip', ip);
    const w = this.limits.windowSeconds;
    const res = await this.redis.multi().incr(a).expire(a, w, 'NX').incr(i).expire(i, w, 'NX').ttl(a).ttl(i).exec();
    const n = (k: number) => Number(res?.[k]?.[1] ?? 0);
    const [acct, byIp, ttlA, ttlI] = [n(0), n(2), n(4), n(5)];
    if (acct > this.limits.perAccount || byIp > this.limits.perIp) {
      const over = [acct > this.limits.perAccount ? ttlA : 0, byIp > this.limits.perIp ? ttlI : 0];
      return { allowed: false, retryAfterSeconds: Math.max(1, ...over) };
    }
    return { allowed: true };
  }

  async clearAccount(email: string): Promise<void> {
    await this.redis.del(this.key('acct', email.trim().toLowerCase()));
  }
}
