import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePorts, PortTakenError } from './ports';
import { lookAt } from './redis-server';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own: `masters` local redis-server processes on spare ports (each with
 * its bus port, port + 10000, free too), no persistence, joined with `redis-cli --cluster create`.
 * `destroy()` stops them and deletes their folder.
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
    // A node whose port or bus port something else took in between cannot listen: all start again
    // on other ports (nothing is joined yet).
    for (let attempt = 1; ; attempt++) {
      this.ports.splice(0, this.ports.length, ...(await freePorts(this.masters, { bus: true })));
      try {
        await Promise.all(this.ports.map((port) => this.startNode(port)));
        break;
      } catch (err) {
        await this.stopNodes();
        if (!(err instanceof PortTakenError) || attempt >= 5) throw err;
      }
    }
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
    await this.stopNodes();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts the node on `port` and waits until it answers; a {@link PortTakenError} when it could not listen. */
  private async startNode(port: number): Promise<void> {
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
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.procs.push(proc);
    let output = '';
    let closed = false;
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('close', () => (closed = true));
    await this.until(
      port,
      async (r) => (await r.info('server')).includes(`process_id:${proc.pid}\r`),
      'an answer from its own redis-server',
      () => {
        if (!closed) return;
        if (/Address already in use/.test(output)) throw new PortTakenError(port, 'redis cluster node');
        throw new Error(`redis cluster node ${port} exited before it answered:\n${output.slice(-2000)}`);
      },
    );
  }

  private async stopNodes(): Promise<void> {
    const procs = this.procs.splice(0);
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
  }

  /**
   * Waits (up to a minute, a busy machine is slow) until `check` holds on the node at `port`.
   * `gone` is called before each look, and throws when there is no point waiting.
   */
  private async until(
    port: number,
    check: (r: Redis) => Promise<boolean>,
    what: string,
    gone?: () => void,
  ): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      gone?.();
      if (await lookAt(port, check)) return;
      if (Date.now() > deadline) throw new Error(`redis cluster node ${port} never reached ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
