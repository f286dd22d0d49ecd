import { Command, Redis } from 'ioredis';
import { encodeCommand, ioredisEncoding } from '../../src/common/resp';
import { openRedis } from '../../src/common/redis-connection';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

describe('RESP encoder (src/common/resp.ts)', () => {
  const cases: Array<[string, Array<string | Buffer | number>]> = [
    ['ping', []],
    ['get', ['haven:key']],
    ['set', ['k', '', 'EX', 86400]],
    ['evalsha', ['0123456789abcdef0123456789abcdef01234567', 3, 'a', 'b', 'c', 'x'.repeat(5000), '1', '0']],
    ['set', ['k', 'héllo wörld · 你好 · 🧡 emoji']],
    ['set', ['k', 'lone \ud800 surrogate \udfff']],
    ['set', [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), 'text']],
    ['hset', ['h', ...Array.from({ length: 120 }, (_, i) => `field${i}`)]],
  ];

  it.each(cases)('writes %s byte for byte as ioredis does', (name, args) => {
    const mine = new Command(name, args);
    const theirs = new Command(name, args);
    expect(Buffer.compare(encodeCommand(mine.name, mine.args as (string | Buffer)[]), ioredisEncoding(theirs))).toBe(0);
  });

  it('is what every connection writes: values, scripts and pipelines arrive intact', async () => {
    const prefix = uniquePrefix('resp');
    const redis = openRedis({ REDIS_URL, REDIS_PREFIX: prefix });
    try {
      // Installed by redis-connection: a command's bytes are the encoder's Buffer.
      expect(
        Buffer.isBuffer(
          (new Command('get', ['x']) as unknown as { toWritable(s: unknown): unknown }).toWritable(undefined),
        ),
      ).toBe(true);
      const text = 'héllo · 你好 · 🧡 ' + 'x'.repeat(70_000);
      const bytes = Buffer.from([0, 13, 10, 36, 42, 255]);
      await redis.set(`${prefix}:text`, text);
      await redis.set(`${prefix}:bytes`, bytes);
      expect(await redis.get(`${prefix}:text`)).toBe(text);
      expect(Buffer.compare((await redis.getBuffer(`${prefix}:bytes`)) as Buffer, bytes)).toBe(0);
      expect(await redis.eval('return {KEYS[1], ARGV[1], ARGV[2]}', 1, `${prefix}:k`, 'é', 42)).toEqual([
        `${prefix}:k`,
        'é',
        '42',
      ]);
      const results = await redis
        .pipeline()
        .set(`${prefix}:p`, 'one')
        .append(`${prefix}:p`, ' · two')
        .get(`${prefix}:p`)
        .exec();
      expect(results?.map(([, r]) => r)).toEqual(['OK', 10, 'one · two']);
      // A plain ioredis client on the same server reads what the encoder wrote.
      const plain = new Redis(REDIS_URL);
      expect(await plain.get(`${prefix}:text`)).toBe(text);
      await plain.quit();
    } finally {
      await redis.quit();
      await cleanupPrefix(prefix);
    }
  });
});
