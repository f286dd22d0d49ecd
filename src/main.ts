import { errorFields } from './common/errors';
import { loadConfig, type Config } from './config';
import { startHaven } from './compose';

export { startHaven, workerConnectionOptions, type Haven, type StartOptions } from './compose';

/** The CLI exits this long after a signal if shutdown has not finished (stop() forces at 8 s). */
const EXIT_DEADLINE_MS = 10_000;

/**
 * Starts Haven: reads the settings, composes everything (src/compose) and stops on SIGTERM or
 * SIGINT. Resolves once stopped; the caller turns it into an exit code.
 */
export async function runHaven(config: Config = loadConfig()): Promise<void> {
  const started = Date.now();
  const haven = await startHaven(config);
  haven.log.info({ ms: Date.now() - started }, 'ready');
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      haven.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        haven.log.error('shutdown took over 10 s; exiting');
        process.exit(1);
      }, EXIT_DEADLINE_MS);
      force.unref();
      haven.stop().then(resolve, (err: Error) => {
        haven.log.error({ err: errorFields(err) }, 'shutdown failed');
        process.exit(1);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
