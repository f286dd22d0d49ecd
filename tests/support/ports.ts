import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Ports for servers a test starts in another process (a Haven child, a redis-server), where the
 * port must be chosen before the server binds it.
 *
 * They come from 10000-21999, below the ephemeral range (32768-60999 here) that every `listen(0)`
 * (the stub servers, a test Haven on PORT 0) and the local end of every outgoing connection are
 * given: a port found free in that range could be handed to any of those in the seconds before the
 * child binds it. A Redis Cluster node also listens on its bus port, port + 10000, which stays below
 * that range too.
 */
const FIRST = 10_000;
const LAST = 21_999;
/** A cluster node's bus port is its port plus this (Redis's default). */
export const CLUSTER_BUS_OFFSET = 10_000;

export interface PortOptions {
  /** Also check the port's Redis Cluster bus port (port + 10000) is free. */
  bus?: boolean;
}

/** Ports handed out by this process: never handed out twice. */
const handedOut = new Set<number>();

/** True when `port` can be listened on at 127.0.0.1 now (nothing else has it). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `n` different ports that are free now (with `bus`, their bus ports too; no port is another's bus port). */
export async function freePorts(n: number, opts: PortOptions = {}): Promise<number[]> {
  const picked: number[] = [];
  const uses = (p: number) => (opts.bus ? [p, p + CLUSTER_BUS_OFFSET] : [p]);
  for (let tries = 0; picked.length < n; tries++) {
    if (tries >= 1000) throw new Error(`no free port found in ${FIRST}-${LAST} after 1000 tries`);
    const port = randomInt(FIRST, LAST + 1);
    const taken = new Set(picked.flatMap(uses));
    if (uses(port).some((p) => handedOut.has(p) || taken.has(p))) continue;
    if (!(await canBind(port)) || (opts.bus && !(await canBind(port + CLUSTER_BUS_OFFSET)))) continue;
    picked.push(port);
  }
  for (const p of picked) for (const u of uses(p)) handedOut.add(u);
  return picked;
}

/** A port that is free now (with `bus`, its bus port too). */
export async function freePort(opts: PortOptions = {}): Promise<number> {
  return (await freePorts(1, opts))[0]!;
}

/** A server could not listen because something else took its port first (EADDRINUSE). */
export class PortTakenError extends Error {
  constructor(
    readonly port: number,
    what: string,
    detail = '',
  ) {
    super(`${what} could not listen on 127.0.0.1:${port}: the port was taken (address already in use)${detail}`);
    this.name = 'PortTakenError';
  }
}

/**
 * Runs `start` on `n` ports free now; when it fails with a {@link PortTakenError} (another server
 * took one in between), runs it again on other ports, up to `attempts` times in all. `start` cleans
 * up after itself when it throws.
 */
export async function onFreePorts<T>(
  n: number,
  start: (ports: number[]) => Promise<T>,
  opts: PortOptions & { attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePorts(n, opts));
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= attempts) throw err;
    }
  }
}

/** {@link onFreePorts} with one port. */
export async function onFreePort<T>(
  start: (port: number) => Promise<T>,
  opts: PortOptions & { attempts?: number } = {},
): Promise<T> {
  return onFreePorts(1, ([port]) => start(port!), opts);
}
