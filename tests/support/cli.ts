import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a run of the `haven` command left: its exit code and everything it wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `haven ARGS` command (what `npx tsx src/cli.ts` runs, without npx's own warnings
 * on stderr) against the Redis prefix of a test's Haven, with `env` added to its environment.
 * It starts a TypeScript process: slow on a busy machine, so callers give their tests time.
 */
export function runCli(args: string[], prefix: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/cli.ts', ...args], {
      env: { ...process.env, REDIS_PREFIX: prefix, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
