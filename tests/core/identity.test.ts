import { Redis } from 'ioredis';
import { IdentityVault } from '../../src/engine/identity';
import { Keys } from '../../src/engine/keys';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

describe('identity vault', () => {
  const prefix = uniquePrefix('identity');
  const redis = new Redis(REDIS_URL);
  const vault = new IdentityVault(redis, new Keys(prefix), 'a-test-secret-of-some-length', Buffer.alloc(32, 1), 60);
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  it('gives a stable pseudonym that does not contain the platform id', () => {
    const a = vault.conversationId('whatsapp', '447700900123@c.us');
    expect(a).toBe(vault.conversationId('whatsapp', '447700900123@c.us'));
    expect(a).not.toContain('447700900123');
    expect(a.startsWith('whatsapp.')).toBe(true);
    expect(vault.conversationId('messenger', '447700900123@c.us')).not.toBe(a);
    expect(IdentityVault.channelOf(a)).toBe('whatsapp');
    expect(IdentityVault.shortName(a)).toMatch(/^whatsapp·.{6}$/);
  });

  it('stores addresses encrypted and reads them back', async () => {
    const id = vault.conversationId('whatsapp', '447700900123@c.us');
    await vault.saveAddress(id, { chatId: '447700900123@c.us' });
    const stored = await redis.get(new Keys(prefix).address(id));
    expect(stored).not.toContain('447700900123');
    expect(await vault.getAddress(id)).toEqual({ chatId: '447700900123@c.us' });
    expect(await redis.ttl(new Keys(prefix).address(id))).toBeGreaterThan(0);
  });

  it('seals with a fresh nonce each time, past the refills of its pool of random bytes', () => {
    const sealed = Array.from({ length: 600 }, (_, i) => vault.encrypt(`{"psid":"${i % 3}"}`));
    const nonces = new Set(sealed.map((s) => s.split('.')[0]));
    expect(nonces.size).toBe(600);
    expect([...nonces].every((n) => Buffer.from(n as string, 'base64url').length === 12)).toBe(true);
    expect(sealed.map((s) => vault.decrypt(s))).toEqual(sealed.map((_, i) => `{"psid":"${i % 3}"}`));
  });

  it('refuses a tampered address', () => {
    const sealed = vault.encrypt('{"a":1}');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2] as string, 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() => vault.decrypt([parts[0], parts[1], body.toString('base64url')].join('.'))).toThrow();
  });
});
