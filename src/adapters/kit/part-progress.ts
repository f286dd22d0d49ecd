import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { channelKeys } from './keys';

/**
 * Remembers how many parts of a long message were delivered, so a retry after a failure on part
 * 3 sends parts 3 onwards rather than repeating 1 and 2. Keyed by a hash of the recipient and the
 * message (no text or id in the key); the record is deleted once every part is sent.
 */
export class PartProgress {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly channel: string,
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  key(recipient: string, parts: readonly string[]): string {
    const h = createHash('sha256').update(recipient).update('\u0000').update(parts.join('\u0000')).digest('base64url');
    return channelKeys(this.keys, this.channel)('parts', h.slice(0, 32));
  }

  /** Parts already delivered (0 when none or unknown). */
  async done(key: string): Promise<number> {
    const v = await this.redis.get(key);
    return v ? Number(v) || 0 : 0;
  }

  async mark(key: string, delivered: number): Promise<void> {
    await this.redis.set(key, String(delivered), 'EX', this.ttlSeconds);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(key);
  }
}
