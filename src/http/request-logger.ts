import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilent } from 'pino';

type LogArgs = [obj: unknown, msg?: string, ...args: unknown[]];

/**
 * A request's logger that becomes the server logger's child (bound to the request id) only when
 * something logs through it. Fastify makes one for every request, and most never log (request
 * logging is off outside development); a pino child costs its bindings' pass through Haven's
 * redaction on every request, about 4 KB and 2 µs, whatever the level.
 */
class RequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get log(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }
  set level(level: string) {
    this.log.level = level as LevelWithSilent;
  }
  fatal(...a: LogArgs): void {
    (this.log.fatal as (...a: LogArgs) => void)(...a);
  }
  error(...a: LogArgs): void {
    (this.log.error as (...a: LogArgs) => void)(...a);
  }
  warn(...a: LogArgs): void {
    (this.log.warn as (...a: LogArgs) => void)(...a);
  }
  info(...a: LogArgs): void {
    (this.log.info as (...a: LogArgs) => void)(...a);
  }
  debug(...a: LogArgs): void {
    (this.log.debug as (...a: LogArgs) => void)(...a);
  }
  trace(...a: LogArgs): void {
    (this.log.trace as (...a: LogArgs) => void)(...a);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.log.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: each request's logger, made on first use (see {@link RequestLogger}). */
export function requestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
