import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { onFreePort, PortTakenError } from './ports';
import { waitFor } from './util';

/** A `haven start` process of a test's own. */
export interface HavenProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  port: number;
  /** Everything it has written so far, stdout and stderr. */
  output(): string;
  /** Its exit code once it has ended and its output is all read (null when ended by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `haven start` (src/cli.ts through tsx) as a process of its own, with `env` (PORT and HOST
 * are set here), on a free port ({@link onFreePort}), and waits until it logs "ready". When it could
 * not listen because something took its port in between, it is started again on another port.
 * `onOutput` sees everything it writes, as it comes.
 */
export async function startHavenProcess(
  env: NodeJS.ProcessEnv,
  opts: { onOutput?: (chunk: string) => void } = {},
): Promise<HavenProcess> {
  return onFreePort(async (port) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/cli.ts', 'start'], {
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      opts.onOutput?.(d.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let ended = false;
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        ended = true;
        resolve(code);
      }),
    );
    try {
      // A guard against a hang (starting TypeScript is slow on a busy machine), not a timing claim.
      await waitFor(() => output.includes('"msg":"ready"') || ended, 90_000, 'Haven to start');
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- Haven output ---\n${output.slice(-3000)}`, { cause: err });
    }
    if (!output.includes('"msg":"ready"')) {
      const code = await exited;
      if (/EADDRINUSE/.test(output)) throw new PortTakenError(port, 'Haven');
      throw new Error(`Haven exited (${code}) before it was ready:\n${output.slice(-3000)}`);
    }
    return { child, port, output: () => output, exited };
  });
}
