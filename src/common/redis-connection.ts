import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { installRespEncoder } from './resp';

// Commands are written as one Buffer each, not built up from heap strings (see resp.ts): every
// connection Haven opens, and BullMQ's, share ioredis's Command.
installRespEncoder();

/** One seed node of a Redis Cluster (`REDIS_CLUSTER_NODES`). */
export interface ClusterNode {
  host: string;
  port: number;
}

/**
 * Where Haven's Redis is: the settings that say so (a `Config` fits). With cluster nodes, Haven
 * talks to a Redis Cluster through them and `REDIS_URL` gives only the username, password and
 * TLS (`rediss://`) used on every node; its host and port are not used.
 */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: readonly ClusterNode[];
  REDIS_PREFIX: string;
}

/** True when Haven talks to a Redis Cluster. */
export function isCluster(target: Pick<RedisTarget, 'REDIS_CLUSTER_NODES'>): boolean {
  return (target.REDIS_CLUSTER_NODES?.length ?? 0) > 0;
}

/**
 * The prefix every Redis key and BullMQ queue of Haven's starts with. On a cluster it is the
 * prefix in braces, a hash tag (`{haven}`): every key of Haven's then lives in one slot, so every
 * Lua script, MULTI and BullMQ script works however many keys it touches. The price: a cluster
 * gives Haven failover and replicas, not its keys spread over the masters (one master holds them).
 */
export function redisKeyPrefix(target: RedisTarget): string {
  return isCluster(target) ? `{${target.REDIS_PREFIX}}` : target.REDIS_PREFIX;
}

/** Options that belong to the cluster client as a whole, not to its per-node connections. */
const CLUSTER_LEVEL = ['enableOfflineQueue', 'enableAutoPipelining', 'lazyConnect'] as const;

/**
 * Opens a connection to Haven's Redis: a `Redis` for one server, or an ioredis `Cluster` when
 * cluster nodes are set. Every connection Haven opens goes through here.
 *
 * The cluster is returned typed as `Redis`: Haven's stores use only commands a `Cluster` has too
 * (single-slot keys, EVAL, MULTI, pipelines, pub/sub, PING/QUIT), and the cluster test runs them.
 */
export function openRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (!isCluster(target)) return new Redis(target.REDIS_URL, options);
  const perNode: RedisOptions = { ...credentialsOf(target.REDIS_URL), ...options };
  const clusterOptions: ClusterOptions = {};
  for (const name of CLUSTER_LEVEL) {
    if (options[name] !== undefined) (clusterOptions as Record<string, unknown>)[name] = options[name];
    delete perNode[name];
  }
  clusterOptions.redisOptions = perNode;
  const cluster = new Cluster(
    (target.REDIS_CLUSTER_NODES ?? []).map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  );
  return cluster as unknown as Redis;
}

/** Username, password and TLS from a redis:// or rediss:// URL (host, port and database are not used). */
function credentialsOf(url: string): RedisOptions {
  const u = new URL(url);
  const out: RedisOptions = {};
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') out.tls = {};
  return out;
}

/** Sockets whose writes {@link coalesceWrites} already gathers. */
const coalescing = new WeakSet<object>();

interface CorkableSocket {
  write(...args: unknown[]): boolean;
  cork(): void;
  uncork(): void;
}

/**
 * Gathers the commands a connection writes until the event loop's current round of I/O is handled,
 * then sends them in one socket write. ioredis writes each command as it is issued: under load
 * dozens of requests each send a command in the same round, and each write is a system call that,
 * on a loopback or LAN socket, also pays the kernel's delivery to Redis (about a tenth of the web
 * path's CPU, measured). Corked until `setImmediate`, the round's commands leave in one `writev`,
 * and Redis reads them in one go. Order is unchanged (one socket, FIFO); a command waits at most
 * until the I/O round ends. Unlike ioredis's auto-pipelining it builds no Pipeline or promise per
 * batch: one corked flag and one immediate per round.
 *
 * For a plain connection (a Cluster's node connections are left as they are). Applied again on
 * every reconnect, as ioredis makes a new socket each time.
 */
export function coalesceWrites(redis: Redis): void {
  if (!(redis instanceof Redis)) return;
  const install = () => {
    const stream = (redis as unknown as { stream?: CorkableSocket }).stream;
    if (!stream || coalescing.has(stream)) return;
    coalescing.add(stream);
    const write = stream.write;
    let corked = false;
    const flush = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = function (...args: unknown[]): boolean {
      if (!corked) {
        corked = true;
        stream.cork();
        setImmediate(flush);
      }
      return write.apply(stream, args);
    };
  };
  redis.on('connect', install);
  install();
}
