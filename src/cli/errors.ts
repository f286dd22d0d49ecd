import { HavenError } from '../common/errors';

/** A failure to report to the person at the terminal, with an exit code (2: wrong usage). */
export class CliError extends HavenError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message, exitCode === 2 ? 'CLI_USAGE' : 'CLI_FAILED', { permanent: true });
  }
}
