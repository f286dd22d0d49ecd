import { Cluster, Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../src/config';
import { coalesceWrites, isCluster, openRedis, redisKeyPrefix } from '../../src/common/redis-connection';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

describe('REDIS_CLUSTER_NODES', () => {
  it('parses host:port seed nodes (names, addresses, bracketed IPv6)', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7001,[::1]:7002' });
    expect(c.REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-1', port: 6379 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(isCluster(c)).toBe(true);
    expect(redisKeyPrefix(c)).toBe('{haven}');
  });

  it('is off by default: one server, the plain prefix', () => {
    const c = loadConfig({});
    expect(c.REDIS_CLUSTER_NODES).toBeUndefined();
    expect(isCluster(c)).toBe(false);
    expect(redisKeyPrefix({ ...c, REDIS_PREFIX: 'x' })).toBe('x');
  });

  it.each([
    ['redis-1', /REDIS_CLUSTER_NODES\.0: each entry must look like host:port/],
    ['redis-1:99999', /REDIS_CLUSTER_NODES\.0: each port must be 1-65535/],
    ['redis://redis-1:6379', /each entry must look like host:port/],
    [' , ', /REDIS_CLUSTER_NODES: must list at least one host:port/],
  ])('refuses %j with a clear message', (value, message) => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: value })).toThrow(message);
  });

  it('refuses a REDIS_URL naming a database other than 0 alongside cluster nodes', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://h:6379/2' })).toThrow(
      /REDIS_URL: a Redis Cluster has only database 0/,
    );
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://:pw@h:6379/0' })).not.toThrow();
  });
});

describe('openRedis', () => {
  it('opens a Redis for one server', () => {
    const r = openRedis({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'p' }, { lazyConnect: true });
    expect(r).toBeInstanceOf(Redis);
    r.disconnect();
  });

  it("opens a Cluster, with the URL's credentials and TLS on every node and client-wide options on the cluster", () => {
    const c = openRedis(
      {
        REDIS_URL: 'rediss://user:p%40ss@ignored:6379',
        REDIS_PREFIX: 'p',
        REDIS_CLUSTER_NODES: [{ host: 'a', port: 1 }],
      },
      { lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 1 },
    ) as unknown as Cluster;
    expect(c).toBeInstanceOf(Cluster);
    expect(c.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, enableAutoPipelining: true });
    expect(c.options.redisOptions).toMatchObject({
      username: 'user',
      password: 'p@ss',
      tls: {},
      maxRetriesPerRequest: 1,
    });
    expect(c.options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    expect(c.options.redisOptions).not.toHaveProperty('host');
    c.disconnect();
  });
});

describe('coalesceWrites', () => {
  /** Counts the system-call writes of the connection's current socket (one writev or write each). */
  function countWrites(redis: Redis): () => number {
    let n = 0;
    const socket = (redis as unknown as { stream: Record<'_write' | '_writev', (...a: unknown[]) => unknown> }).stream;
    for (const name of ['_write', '_writev'] as const) {
      const original = socket[name];
      socket[name] = function (this: unknown, ...a: unknown[]) {
        n++;
        return original.apply(this, a);
      };
    }
    return () => n;
  }

  it("sends one turn's commands in one socket write, in order, and again after a reconnect", async () => {
    const prefix = uniquePrefix('coalesce');
    const redis = openRedis({ REDIS_URL, REDIS_PREFIX: prefix });
    coalesceWrites(redis);
    try {
      await redis.ping();
      let writes = countWrites(redis);
      const key = `${prefix}:n`;
      const replies = await Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));
      expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(writes()).toBe(1);

      // A new socket after a reconnect: its writes are gathered too.
      const ready = new Promise((r) => redis.once('ready', r));
      redis.disconnect(true);
      await ready;
      writes = countWrites(redis);
      const [a, b, c] = await Promise.all([redis.incr(key), redis.incr(key), redis.get(key)]);
      expect([a, b, c]).toEqual([21, 22, '22']);
      expect(writes()).toBe(1);
    } finally {
      await cleanupPrefix(prefix);
      await redis.quit();
    }
  });
});
