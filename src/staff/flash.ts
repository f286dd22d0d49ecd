import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../engine/keys';
import { staffKeys } from './keys';

/** How long a result page (a new join code) can be shown again after its form was posted. */
export const FLASH_SECONDS = 600;

/**
 * What a form post made, kept briefly for the page the browser is redirected to
 * (post/redirect/get: a reload shows the result again instead of posting the form again).
 * Readable only with the signed-in session that made it: sealed with AES-256-GCM under a key
 * derived from the session id (which Redis never holds) and the session secret, so a copy of
 * Redis does not reveal a join code shown here.
 */
export class FlashStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly secret: string,
  ) {}

  private key(sessionId: string): Buffer {
    return createHmac('sha256', this.secret).update(`flash\n${sessionId}`).digest();
  }

  private redisKey(sessionId: string, id: string): string {
    const owner = createHmac('sha256', this.secret)
      .update(`flash owner\n${sessionId}`)
      .digest('base64url')
      .slice(0, 22);
    return staffKeys(this.keys).flash(owner, id);
  }

  /** Keeps `value` for this session; returns the id to put in the redirect's URL. */
  async put(sessionId: string, value: unknown): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(sessionId), iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const blob = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    await this.redis.set(this.redisKey(sessionId, id), blob, 'EX', FLASH_SECONDS);
    return id;
  }

  /** The value, or null when it has expired, is not this session's, or the id is malformed. */
  async get<T>(sessionId: string, id: string): Promise<T | null> {
    if (!/^[A-Za-z0-9_-]{16}$/.test(id)) return null;
    const blob = await this.redis.get(this.redisKey(sessionId, id));
    if (!blob) return null;
    try {
      const b = Buffer.from(blob, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key(sessionId), b.subarray(0, 12));
      decipher.setAuthTag(b.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(b.subarray(28)), decipher.final()]).toString('utf8')) as T;
    } catch {
      return null;
    }
  }
}
