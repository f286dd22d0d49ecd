/** What a {@link HavenError} may carry besides its message and code. */
export interface HavenErrorOptions {
  cause?: unknown;
  /** Ids and outcomes that help whoever reads the log (never message text, phone numbers or secrets). */
  context?: Record<string, unknown>;
  /** Trying again cannot help (a 404 from a webhook, a payload that can never succeed): do not retry. */
  permanent?: boolean;
}

/**
 * Base for Haven's errors: every one carries a stable `code` for logs and metrics, optional
 * `context` (ids, never content), and whether it is `permanent` (queue jobs are not retried).
 */
export class HavenError extends Error {
  readonly context: Record<string, unknown>;
  readonly permanent: boolean;
  constructor(
    message: string,
    readonly code: string,
    options: HavenErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
    this.permanent = options.permanent ?? false;
  }
}

/**
 * The platform answered and refused (4xx). Not retried unless `retryAfterMs` says when to try
 * again (rate limits); `permanent` means the person cannot be reached this way any more.
 */
export class PlatformRefusedError extends HavenError {
  constructor(
    message: string,
    readonly status: number,
    readonly details: { platformCode?: number | string; retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message, 'PLATFORM_REFUSED', {
      permanent: details.permanent ?? false,
      context: { status, platformCode: details.platformCode },
    });
  }
}

/** The network or the platform failed (connection errors, 5xx): retried with backoff. */
export class PlatformUnavailableError extends HavenError {
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, 'PLATFORM_UNAVAILABLE', options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/**
 * The channel's client runs on another Haven process (WhatsApp Web, driven by the one worker that
 * holds its session lock): the job goes back on the queue for that process to take, without
 * spending one of its attempts (src/engine/elsewhere.ts).
 */
export class DrivenElsewhereError extends PlatformUnavailableError {
  constructor(message: string, retryAfterMs = 1000) {
    super(message, { retryAfterMs });
  }
}

/**
 * A webhook receiver (the alert or coordinator webhook) answered with an error. 404 and 410 say the
 * address is wrong or gone: retrying for 45 minutes cannot help, so those are permanent (the queue
 * fails the job at once, and the failure is on the record). Anything else is retried with backoff.
 */
export class WebhookError extends HavenError {
  constructor(
    readonly webhook: string,
    readonly status: number,
  ) {
    super(`${webhook} answered ${status}`, 'WEBHOOK_FAILED', {
      permanent: status === 404 || status === 410,
      context: { webhook, status },
    });
  }
}

/**
 * A platform's retry arrived while another attempt at the same message still held it, and that
 * attempt neither stored it nor let it go in time: not stored, so the platform is answered 503 and
 * sends it again.
 */
export class MessageInFlightError extends HavenError {
  constructor(channel: string) {
    super('the same message is still being accepted by another attempt', 'MESSAGE_IN_FLIGHT', {
      context: { channel },
    });
  }
}

/** A channel that is not configured or not running was asked to send. */
export class ChannelUnavailableError extends HavenError {
  constructor(channel: string, reason: string) {
    super(`channel ${channel} is unavailable: ${reason}`, 'CHANNEL_UNAVAILABLE', { context: { channel } });
  }
}

/** An input failed validation; `issues` are safe to show to the caller. */
export class ValidationError extends HavenError {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message, 'VALIDATION_FAILED');
  }
}

/** Settings (or a settings-like file) are wrong; `problems` names each one. `haven start` prints the message and exits 1. */
export class ConfigError extends HavenError {
  constructor(readonly problems: string[]) {
    super(`Haven cannot start: settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 'CONFIG_INVALID');
  }
}

/**
 * What to log of any thrown value: name, message, and for a {@link HavenError} its code, context and
 * whether it is permanent. Never the stack of a platform's answer or anything a person wrote.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof HavenError)
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      ...(err.permanent ? { permanent: true } : {}),
      ...(Object.keys(err.context).length ? { context: err.context } : {}),
    };
  if (err instanceof Error)
    return {
      name: err.name,
      message: err.message,
      // A permanent failure the queue turned into BullMQ's UnrecoverableError keeps its own code.
      ...(err.cause instanceof HavenError ? { cause: errorFields(err.cause) } : {}),
    };
  return { name: 'NonError', message: String(err).slice(0, 200) };
}
