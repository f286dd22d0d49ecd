import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../engine/keys';
import { staffKeys } from './keys';

/** One signed-in member of staff. */
export interface StaffSession {
  accountId: string;
  /** The per-session token every form must send back. */
  csrf: string;
  createdAt: number;
}

/**
 * Server-side sessions in Redis with a sliding idle timeout. The cookie holds a random 32-byte
 * id; Redis holds only its SHA-256, so a leaked key list cannot be replayed as cookies.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly idleSeconds: number,
  ) {}

  private key(id: string) {
    return staffKeys(this.keys).session(id);
  }

  /** A new session (always a new id: sign-in never reuses one, which prevents fixation). */
  async create(accountId: string): Promise<{ id: string; session: StaffSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: StaffSession = { accountId, csrf: randomBytes(32).toString('base64url'), createdAt: Date.now() };
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', this.idleSeconds);
    return { id, session };
  }

  /** The session without renewing its idle timeout (background refreshes are not activity). */
  async peek(id: string): Promise<StaffSession | null> {
    const value = await this.redis.get(this.key(id));
    return typeof value === 'string' ? (JSON.parse(value) as StaffSession) : null;
  }

  /** The session, its idle timeout renewed; null when unknown or expired. */
  async touch(id: string): Promise<StaffSession | null> {
    const [got] = (await this.redis.multi().get(this.key(id)).expire(this.key(id), this.idleSeconds).exec()) ?? [];
    const value = got?.[1];
    return typeof value === 'string' ? (JSON.parse(value) as StaffSession) : null;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
