import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../engine/keys';
import { staffKeys } from './keys';

/** Sign-in limits: failed passwords per account before a growing delay; attempts per address in a window. */
export interface LoginLimits {
  /** Failed passwords an account may have before each further try must wait (1 s, 2 s, 4 s ...). */
  perAccount: number;
  perIp: number;
  windowSeconds: number;
  /** The longest wait a run of failed passwords can put on an account (never a hard lock). */
  maxDelaySeconds?: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: 5,
  perIp: 20,
  windowSeconds: 15 * 60,
  maxDelaySeconds: 5 * 60,
};

/**
 * KEYS: the account's failure count, its wait key, the address's count. ARGV: window seconds,
 * free failures, longest delay ms. Counts one failed password: the account's count (kept for the
 * window after its last failure) and the address's; past the free failures the account must wait
 * 2^(n - free) seconds, capped.
 */
const FAIL = `
local n = redis.call('incr', KEYS[1])
redis.call('expire', KEYS[1], ARGV[1])
local ip = redis.call('incr', KEYS[3])
if ip == 1 then redis.call('expire', KEYS[3], ARGV[1]) end
local free = tonumber(ARGV[2])
if n >= free then
  local ms = math.min(1000 * 2 ^ math.min(n - free, 30), tonumber(ARGV[3]))
  redis.call('set', KEYS[2], '1', 'PX', math.floor(ms))
end
return n
`;

/**
 * Sign-in limits in Redis (so every process shares them). Only failed passwords count against an
 * account, never a sign-in that succeeded nor an attempt refused before its password was checked,
 * so nobody can lock another person out by trying their address; past a few failures each further
 * try waits longer (doubling, capped), which makes guessing slow without a hard lock. An address
 * that makes too many attempts in the window is refused whatever the account.
 */
export class LoginLimiter {
  private readonly limits: Required<LoginLimits>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {
    this.limits = { maxDelaySeconds: 5 * 60, ...limits };
  }

  private key(kind: 'acct' | 'wait' | 'ip', value: string) {
    const h = createHash('sha256').update(value).digest('base64url').slice(0, 22);
    return staffKeys(this.keys).login(kind, h);
  }
  private account(email: string) {
    return email.trim().toLowerCase();
  }

  /** Before the password is checked: may this address try this account now? Counts nothing. */
  async check(ip: string, email: string): Promise<{ allowed: boolean; retryAfterSeconds?: number }> {
    const [byIp, ipTtl, waitMs] = (await this.redis
      .multi()
      .get(this.key('ip', ip))
      .ttl(this.key('ip', ip))
      .pttl(this.key('wait', this.account(email)))
      .exec()
      .then((r) => (r ?? []).map(([, v]) => Number(v ?? 0)))) as [number, number, number];
    if (byIp >= this.limits.perIp) return { allowed: false, retryAfterSeconds: Math.max(1, ipTtl) };
    if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    return { allowed: true };
  }

  /** A wrong password for this account from this address. */
  async fail(ip: string, email: string): Promise<void> {
    const acct = this.account(email);
    await this.redis.eval(
      FAIL,
      3,
      this.key('acct', acct),
      this.key('wait', acct),
      this.key('ip', ip),
      String(this.limits.windowSeconds),
      String(this.limits.perAccount),
      String(this.limits.maxDelaySeconds * 1000),
    );
  }

  /** The right password: the account's failures are forgotten (the address's are not). */
  async succeed(email: string): Promise<void> {
    const acct = this.account(email);
    await this.redis.del(this.key('acct', acct), this.key('wait', acct));
  }
}
