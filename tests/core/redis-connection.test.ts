import { Cluster, Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../src/config';
import { isCluster, openRedis, redisKeyPrefix } from '../../src/common/redis-connection';

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
