#!/usr/bin/env node
import { ConfigError } from './common/errors';
import { commands } from './cli/commands';
import { CliError } from './cli/errors';

/**
 * The `haven` command: `haven start`, `haven screen`, `haven members ...` and the rest
 * (`haven help` lists them). Exits 0 on success, 1 on a failure, 2 on wrong usage.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || name === 'help' || name === '--help') {
    process.stderr.write(usage());
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return command.run(args);
}

function usage(): string {
  const lines = Object.entries(commands).map(([n, c]) => `  haven ${n.padEnd(10)} ${c.summary}`);
  return `Usage: haven <command> [options]\n\n${lines.join('\n')}\n`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof CliError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    } else {
      process.stderr.write(`haven: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
