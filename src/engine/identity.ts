import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys';
import type { ChannelAddress, ChannelName } from './message';

/** Bytes of a GCM nonce. */
const IV_BYTES = 12;
/**
 * Random bytes for nonces, filled 256 nonces at a time: one `randomBytes(12)` call costs as much as
 * half the encryption of an address (about 6 µs here, and every inbound message seals its sender's
 * address), a slice of a pooled buffer almost nothing. Each nonce is used once and copied out.
 */
const ivPool = Buffer.alloc(IV_BYTES * 256);
let ivAt = ivPool.length;

/** A fresh random 96-bit GCM nonce (a view on the pool: use it before the next call). */
function nextIv(): Buffer {
  if (ivAt === ivPool.length) {
    randomFillSync(ivPool);
    ivAt = 0;
  }
  ivAt += IV_BYTES;
  return ivPool.subarray(ivAt - IV_BYTES, ivAt);
}

/**
 * Pseudonymous conversation ids and encrypted channel addresses.
 *
 * A person's platform id (phone number, PSID, Teams id) is never stored as a key or logged: the
 * conversation id is an HMAC of `channel:rawId`. What a channel needs to send back is kept
 * encrypted (AES-256-GCM) under that id, with the conversation's TTL.
 */
export class IdentityVault {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly hashSecret: string,
    private readonly dataKey: Buffer,
    private readonly ttlSeconds: number,
  ) {}

  /** The stable pseudonymous id for one person on one channel, e.g. `messenger.k3j...`. */
  conversationId(channel: ChannelName, rawId: string): string {
    const mac = createHmac('sha256', this.hashSecret).update(`${channel}:${rawId}`).digest('base64url');
    return `${channel}.${mac.slice(0, 22)}`;
  }

  /**
   * A platform message id as Haven keeps it: a keyed hash. Platform ids can hold a phone number
   * (WhatsApp Cloud's `wamid.…`), so the raw id is never a Redis key, job id or job data.
   */
  messageKey(channel: ChannelName, messageId: string): string {
    return createHmac('sha256', this.hashSecret)
      .update(`message\n${channel}:${messageId}`)
      .digest('base64url')
      .slice(0, 27);
  }

  /**
   * A network address as Haven keeps it, to count wrong join codes from one place: a keyed hash,
   * never the address.
   */
  originKey(address: string): string {
    return createHmac('sha256', this.hashSecret).update(`origin\n${address}`).digest('base64url').slice(0, 22);
  }

  /** The channel a conversation id belongs to. */
  static channelOf(conversationId: string): ChannelName {
    return conversationId.slice(0, conversationId.indexOf('.')) as ChannelName;
  }

  /** A short pseudonym for staff pages and logs (never the platform id). */
  static shortName(conversationId: string): string {
    const dot = conversationId.indexOf('.');
    return `${conversationId.slice(0, dot)}·${conversationId.slice(dot + 1, dot + 7)}`;
  }

  async saveAddress(conversationId: string, address: ChannelAddress): Promise<void> {
    await this.redis.set(this.keys.address(conversationId), this.sealAddress(address), 'EX', this.ttlSeconds);
  }

  /** An address as it is stored (encrypted), for a caller that writes it with other keys in one command. */
  sealAddress(address: ChannelAddress): string {
    return this.encrypt(JSON.stringify(address));
  }

  /** How long a stored address lives (the conversation's TTL), in seconds. */
  get addressTtlSeconds(): number {
    return this.ttlSeconds;
  }

  async getAddress(conversationId: string): Promise<ChannelAddress | null> {
    return this.openAddress(await this.redis.get(this.keys.address(conversationId)));
  }

  /** The key an address is kept under (read with other keys in one command, then {@link openAddress}). */
  addressKey(conversationId: string): string {
    return this.keys.address(conversationId);
  }

  /** A stored address decrypted, or null when there is none. */
  openAddress(stored: string | null): ChannelAddress | null {
    return stored ? (JSON.parse(this.decrypt(stored)) as ChannelAddress) : null;
  }

  async deleteAddress(conversationId: string): Promise<void> {
    await this.redis.del(this.keys.address(conversationId));
  }

  /** AES-256-GCM; output `iv.tag.ciphertext` in base64url. */
  encrypt(plain: string): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  }

  decrypt(sealed: string): string {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !body) throw new Error('stored address is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}
