import { createServer, type Server } from 'node:net';
import { CLUSTER_BUS_OFFSET, canBind, freePort, freePorts, onFreePort, PortTakenError } from '../support/ports';
import { OwnRedis } from '../support/redis-server';

/** Listens on `port` at 127.0.0.1, as another server that took it would: reads, never answers. */
async function hold(port: number): Promise<Server> {
  const server = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

describe('ports for servers in other processes', () => {
  it('are below the ephemeral range, bus ports too, all different and free', async () => {
    const ports = await freePorts(3, { bus: true });
    expect(new Set(ports.flatMap((p) => [p, p + CLUSTER_BUS_OFFSET])).size).toBe(6);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p + CLUSTER_BUS_OFFSET).toBeLessThan(32_768);
      expect(await canBind(p)).toBe(true);
      expect(await canBind(p + CLUSTER_BUS_OFFSET)).toBe(true);
    }
    // Never the same port twice from one process.
    expect(ports).not.toContain(await freePort());
  });

  it('canBind says no for a port something listens on', async () => {
    const port = await freePort();
    const server = await hold(port);
    try {
      expect(await canBind(port)).toBe(false);
    } finally {
      await close(server);
    }
  });

  it('onFreePort starts again on another port when the port was taken, and only then', async () => {
    const tried: number[] = [];
    const started = await onFreePort(async (port) => {
      tried.push(port);
      if (tried.length === 1) throw new PortTakenError(port, 'a test server');
      return port;
    });
    expect(tried).toHaveLength(2);
    expect(started).toBe(tried[1]);
    expect(tried[0]).not.toBe(tried[1]);
    let calls = 0;
    await expect(
      onFreePort(async () => {
        calls++;
        throw new Error('something else');
      }),
    ).rejects.toThrow('something else');
    expect(calls).toBe(1);
  });

  it('a redis-server whose port something else took fails saying the port was taken', async () => {
    const port = await freePort();
    const server = await hold(port);
    const redis = new OwnRedis(port);
    try {
      await expect(redis.start()).rejects.toThrow(new PortTakenError(port, 'redis-server').message);
    } finally {
      await redis.destroy();
      await close(server);
    }
  });

  it('a redis-server started on a free port answers; a second on its port is not taken for it', async () => {
    const redis = await OwnRedis.startOnFreePort();
    const second = new OwnRedis(redis.port);
    try {
      expect(redis.port).toBeLessThan(32_768);
      expect(await canBind(redis.port)).toBe(false);
      // The first answers on that port, but the second is not it: the second fails, saying why.
      await expect(second.start()).rejects.toThrow(new PortTakenError(redis.port, 'redis-server').message);
    } finally {
      await second.destroy();
      await redis.destroy();
    }
  });
});
