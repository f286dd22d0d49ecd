import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from '../engine/keys';
import { hashPassword, verifyPassword, DUMMY_HASH } from './password';
import { HavenError } from '../common/errors';
import { staffKeys } from './keys';

/** What a member of staff may do; pages check these (see roles.ts). */
export const STAFF_ROLES = ['coordinator', 'worker', 'safeguarding-lead', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** One staff account. The password hash never leaves this module except through {@link StaffAccounts}. */
export interface StaffAccount {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: number;
  /** True once a password has been set through the one-time link. */
  hasPassword: boolean;
  /** Sessions started before this (ms) no longer work: set when the password is (re)set. */
  sessionsValidFrom?: number;
}

interface StoredAccount extends Omit<StaffAccount, 'hasPassword'> {
  passwordHash?: string;
}

/** A staff email address, normalised to lower case. */
export const staffEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an email address' }));
export const staffName = z.string().trim().min(1).max(80);
/** At least 12 characters; long passphrases welcome. */
export const staffPassword = z
  .string()
  .min(12, { message: 'Use at least 12 characters.' })
  .max(200, { message: 'Use at most 200 characters.' });

/** Raised for a wrong use of accounts (duplicate email, unknown account). */
export class StaffAccountError extends HavenError {
  declare readonly code: 'EMAIL_TAKEN' | 'NOT_FOUND';
  constructor(message: string, code: 'EMAIL_TAKEN' | 'NOT_FOUND') {
    super(message, code, { permanent: true });
  }
}

/** How long a one-time setup link works. */
export const SETUP_TOKEN_TTL_SECONDS = 24 * 3600;

/**
 * Staff accounts in Redis: one JSON record per account, an email index, and one-time setup
 * tokens stored only as their SHA-256 hash.
 */
export class StaffAccounts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private key(id: string) {
    return staffKeys(this.keys).account(id);
  }
  private emailKey(email: string) {
    return staffKeys(this.keys).email(email);
  }
  private get allKey() {
    return staffKeys(this.keys).accounts();
  }
  private setupKey(token: string) {
    return staffKeys(this.keys).setup(token);
  }

  /** Creates an account (no password yet) and returns it with a one-time setup token. */
  async add(input: {
    email: string;
    name: string;
    role: StaffRole;
  }): Promise<{ account: StaffAccount; token: string }> {
    const email = staffEmail.parse(input.email);
    const stored: StoredAccount = {
      id: randomUUID(),
      email,
      name: staffName.parse(input.name),
      role: input.role,
      disabled: false,
      createdAt: Date.now(),
    };
    const claimed = await this.redis.set(this.emailKey(email), stored.id, 'NX');
    if (claimed !== 'OK') throw new StaffAccountError(`an account for ${email} already exists`, 'EMAIL_TAKEN');
    await this.redis.multi().set(this.key(stored.id), JSON.stringify(stored)).sadd(this.allKey, stored.id).exec();
    const token = await this.issueSetupToken(stored.id);
    return { account: publicView(stored), token };
  }

  /** A new one-time token for setting (or resetting) the password. */
  async issueSetupToken(id: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    // Only the newest link works: issuing one makes every older one invalid.
    await this.redis
      .multi()
      .set(this.setupKey(token), id, 'EX', SETUP_TOKEN_TTL_SECONDS)
      .set(this.latestSetupKey(id), this.setupKey(token), 'EX', SETUP_TOKEN_TTL_SECONDS)
      .exec();
    return token;
  }

  private latestSetupKey(id: string) {
    return staffKeys(this.keys).setupLatest(id);
  }

  /** The account id a setup token names, if it is the account's newest link. */
  private async setupTokenAccount(token: string): Promise<string | null> {
    const id = await this.redis.get(this.setupKey(token));
    if (!id) return null;
    const latest = await this.redis.get(this.latestSetupKey(id));
    // null: a link issued before links were tracked (still only once, and within its day).
    return latest === null || latest === this.setupKey(token) ? id : null;
  }

  /** The account a setup token belongs to, without using it up; null when unknown or expired. */
  async peekSetupToken(token: string): Promise<StaffAccount | null> {
    const id = await this.setupTokenAccount(token);
    return id ? this.get(id) : null;
  }

  /** Sets the password with a setup token; the token works once. Null when it is not valid. */
  async setPasswordWithToken(token: string, password: string): Promise<StaffAccount | null> {
    const id = await this.setupTokenAccount(token);
    // Used once: gone, and no older link of the account works either.
    if (!id || (await this.redis.del(this.setupKey(token))) !== 1) return null;
    await this.redis.set(this.latestSetupKey(id), 'used', 'EX', SETUP_TOKEN_TTL_SECONDS);
    const stored = await this.getStored(id);
    if (!stored || stored.disabled) return null;
    stored.passwordHash = await hashPassword(staffPassword.parse(password));
    // A new password ends every session signed in with the old one.
    stored.sessionsValidFrom = Date.now();
    await this.redis.set(this.key(id), JSON.stringify(stored));
    return publicView(stored);
  }

  /** The account when the email and password match an enabled account; null otherwise. */
  async authenticate(email: string, password: string): Promise<StaffAccount | null> {
    const parsed = staffEmail.safeParse(email);
    const id = parsed.success ? await this.redis.get(this.emailKey(parsed.data)) : null;
    const stored = id ? await this.getStored(id) : null;
    // Always run scrypt so an unknown email takes as long as a wrong password.
    const ok = await verifyPassword(password, stored?.passwordHash ?? DUMMY_HASH);
    if (!stored || !ok || stored.disabled || !stored.passwordHash) return null;
    return publicView(stored);
  }

  async get(id: string): Promise<StaffAccount | null> {
    const s = await this.getStored(id);
    return s ? publicView(s) : null;
  }

  async byEmail(email: string): Promise<StaffAccount | null> {
    const id = await this.redis.get(this.emailKey(staffEmail.parse(email)));
    return id ? this.get(id) : null;
  }

  async list(): Promise<StaffAccount[]> {
    const ids = await this.redis.smembers(this.allKey);
    if (!ids.length) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key(id)));
    return raws
      .filter((r): r is string => !!r)
      .map((r) => publicView(JSON.parse(r) as StoredAccount))
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Disables an account (its sessions stop working at their next request). */
  async disable(email: string): Promise<StaffAccount> {
    const id = await this.redis.get(this.emailKey(staffEmail.parse(email)));
    const stored = id ? await this.getStored(id) : null;
    if (!stored) throw new StaffAccountError(`no account for ${email}`, 'NOT_FOUND');
    stored.disabled = true;
    delete stored.passwordHash;
    await this.redis.set(this.key(stored.id), JSON.stringify(stored));
    return publicView(stored);
  }

  private async getStored(id: string): Promise<StoredAccount | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as StoredAccount) : null;
  }
}

function publicView(s: StoredAccount): StaffAccount {
  const { passwordHash, ...rest } = s;
  return { ...rest, hasPassword: !!passwordHash };
}
