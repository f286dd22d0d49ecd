import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Only the owner may extend or release: compare the value first, atomically.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease in Redis that says which process drives the WhatsApp session (one linked device can be
 * driven by one browser only). `SET key owner NX PX ttl` to take it, a compare-and-pexpire to
 * renew it, a compare-and-del to release it: a process never extends or frees another's lease.
 */
export class SessionLock {
  /** This process's random owner id (never a secret: it only identifies the lease holder). */
  readonly owner = randomUUID();

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease if it is free (or already ours); true when this process holds it. */
  async acquire(): Promise<boolean> {
    if ((await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
    return this.renew();
  }

  /** Extends the lease; false when it is no longer ours (expired and taken by another process). */
  async renew(): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs))) === 1;
  }

  /** Frees the lease if it is ours. */
  async release(): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key, this.owner)) === 1;
  }
}
