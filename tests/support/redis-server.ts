import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onFreePort, PortTakenError } from './ports';

/**
 * Connects to 127.0.0.1:`port` and returns what `check` says of the server there; false when
 * nothing answers, or nothing has answered within `ms` (something other than Redis may hold the
 * port and never answer).
 */
export async function lookAt(port: number, check: (r: Redis) => Promise<boolean>, ms = 2000): Promise<boolean> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      probe.connect().then(() => check(probe)),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

/**
 * A redis-server of a test's own, on a spare port, with AOF in a temporary folder (as production
 * runs it), so it can be stopped and started again without losing what it held.
 */
export class OwnRedis {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'haven-redis-'));
  constructor(readonly port: number) {}

  /** An OwnRedis started on a free port (another port if the first is taken before it listens). */
  static async startOnFreePort(): Promise<OwnRedis> {
    return onFreePort(async (port) => {
      const redis = new OwnRedis(port);
      try {
        await redis.start();
        return redis;
      } catch (err) {
        await redis.destroy();
        throw err;
      }
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts redis-server on its port (again, after {@link stop}) and waits until it answers. Throws a
   * {@link PortTakenError} when the port was taken.
   */
  async start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    let output = '';
    let closed = false;
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('close', () => (closed = true));
    // A guard against a hang on a busy machine, not a timing claim.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (closed) {
        if (/Address already in use/.test(output)) throw new PortTakenError(this.port, 'redis-server');
        throw new Error(`redis-server on ${this.port} exited before it answered:\n${output.slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start:\n${output.slice(-2000)}`);
      // Ours, not another server that had the port first (ours then ends: see above).
      if (await lookAt(this.port, async (r) => (await r.info('server')).includes(`process_id:${proc.pid}\r`))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
