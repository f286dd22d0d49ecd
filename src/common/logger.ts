import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: message text,
 * phone numbers and platform ids, tokens and secrets. Log ids and outcomes, never content.
 */
export const REDACT_PATHS = [
  'text',
  '*.text',
  '*.*.text',
  'body',
  '*.body',
  'message.text',
  'payload',
  '*.payload',
  'phone',
  '*.phone',
  'from',
  '*.from',
  'senderId',
  '*.senderId',
  'address',
  '*.address',
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  'access_token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
];

/** Path segments that are secrets themselves (the token in a one-time staff setup link). */
const SECRET_SEGMENTS = /^(\/staff\/setup\/)[^/]+/;

/** A request URL as it may be logged: no query string, and no secret path segment. */
export function logPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(SECRET_SEGMENTS, '$1[redacted]');
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where to write (tests pass a stream to read what was logged). */
  destination?: pino.DestinationStream;
}

/** JSON logs in production, pretty in development, with {@link REDACT_PATHS} applied. */
export function createLogger(opts: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: opts.level,
    base: { service: 'haven' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Query strings can carry tokens (hub.verify_token, access_token): log the path only.
    serializers: {
      req: (req: { method?: string; url?: string; id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: typeof req.url === 'string' ? logPath(req.url) : req.url,
      }),
      err: pino.stdSerializers.err,
    },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino(base);
}
