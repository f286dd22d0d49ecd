import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-server';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own: `masters` local redis-server processes on spare ports, no
 * persistence, joined with `redis-cli --cluster create`. `destroy()` stops them and deletes
 * their folder.
 */
export class OwnCluster {
  readonly ports: number[] = [];
  private readonly procs: ChildProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'haven-cluster-'));

  constructor(private readonly masters = 3) {}

  /** `REDIS_CLUSTER_NODES` for Haven. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.masters; i++) this.ports.push(await freePort());
    for (const port of this.ports) {
      const proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--dir',
          this.dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      this.procs.push(proc);
    }
    for (const port of this.ports) await this.untilAnswers(port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    // Every node must agree the cluster is whole before a client is let loose on it.
    for (const port of this.ports) {
      await this.until(port, async (r) => /cluster_state:ok/.test(await r.cluster('INFO')), 'cluster_state:ok');
    }
  }

  /** A plain (non-cluster) connection to one node, for looking at what it holds. */
  node(port: number): Redis {
    return new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async untilAnswers(port: number): Promise<void> {
    await this.until(port, async (r) => (await r.ping()) === 'PONG', 'PONG');
  }

  /** Waits (up to a minute, a busy machine is slow) until `check` holds on the node at `port`. */
  private async until(port: number, check: (r: Redis) => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      try {
        await probe.connect();
        if (await check(probe)) return;
      } catch {
        // not yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`redis cluster node ${port} never reached ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
