import { ConfigError } from '../common/errors';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import {
  CHANNELS,
  channelNames,
  channelSettingsProblems,
  channelSettingsShape,
  type ChannelList,
  type ChannelSettings,
} from '../adapters/registry';

// 0 asks the OS for a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const minutes = z.coerce.number().positive();
const optionalString = z.string().min(1).optional();
const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const optionalUrl = z.url({ message: 'must be a full URL (http://... or https://...)' }).optional();

/** A comma-separated list of channel identities such as `messenger:123,webchat:abc` (registered channels only). */
const identityList = (names: readonly string[]) =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            new RegExp(
              `^((${names.map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')}):.+|email:[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+)$`,
            ),
            { message: 'each entry must look like channel:id or email:address, e.g. messenger:1234567890' },
          ),
      ),
    );

/** "Mon-Fri 09:00-17:00" style office hours. */
const officeHours = z
  .string()
  .regex(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)-(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2}:\d{2}-\d{2}:\d{2}$/, {
    message: 'must look like "Mon-Fri 09:00-17:00"',
  });

/**
 * Every setting Haven reads, with its default, for a list of channels: Haven's own settings here,
 * each channel's from its folder through the registry (src/adapters/registry.ts). Names and
 * defaults are part of the outside contract (shared/INTERFACE.md).
 */
export function buildConfigSchema(channels: ChannelList = CHANNELS) {
  return coreSchema(channelNames(channels)).extend(channelSettingsShape(channels));
}

/** Haven's own settings (every channel's are added by {@link buildConfigSchema}). */
const coreSchema = (channels: readonly string[]) =>
  z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    /** `all` (default): one process does everything; `web`: HTTP and queueing only; `worker`: also runs the queue workers and long-lived channel clients. */
    HAVEN_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    HOST: z.string().default('0.0.0.0'),
    /**
     * Trust X-Forwarded-For from reverse proxies in front of Haven: how many proxies (a hop count;
     * `true` is one), or the proxies' addresses or CIDR ranges, comma-separated. The client's address
     * is the right-most one no trusted proxy added, so a client cannot pick it by sending the header
     * itself. Off by default.
     */
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, {
        message: 'must be false, a number of proxies (true is 1), or comma-separated proxy addresses',
      })
      .default('false')
      .transform((v): false | number | string[] =>
        v === 'false' || v === '0' ? false : v === 'true' ? 1 : /^\d+$/.test(v) ? Number(v) : v.split(','),
      ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The charity's name as young people know it (not shown in discreet mode). */
    CHARITY_NAME: z.string().min(1).max(80).default('Young Carers Together'),
    /** Public base URL used in signed links sent to staff. */
    PUBLIC_URL: optionalUrl,

    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, { message: 'must start with redis:// or rediss://' })
      .default('redis://127.0.0.1:6379'),
    /**
     * A Redis Cluster's seed nodes, `host:port,host:port,...`: Haven then opens every connection with
     * ioredis's `Cluster` and keeps all its keys under the hash tag `{REDIS_PREFIX}` (one slot).
     * REDIS_URL then gives only the username, password and TLS (`rediss://`) for every node.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9_.-]+):\d{1,5}$/, {
                message: 'each entry must look like host:port, e.g. redis-1:6379',
              })
              .transform((entry) => {
                const at = entry.lastIndexOf(':');
                return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
              })
              .refine((n) => n.port >= 1 && n.port <= 65535, { message: 'each port must be 1-65535' }),
          )
          .min(1, { message: 'must list at least one host:port' }),
      )
      .optional(),
    /** Every Redis key and BullMQ queue Haven creates starts with this. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]+$/, { message: 'letters, digits, _ . - only' })
      .default('haven'),

    ALERT_WEBHOOK_URL: optionalUrl,
    // --- Webhook signing (Standard Webhooks) and what alert webhooks carry ---
    /** Signs every alert webhook POST (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
    ALERT_WEBHOOK_SECRET: optionalString,
    /** Signs every coordinator webhook POST, as ALERT_WEBHOOK_SECRET does. */
    COORDINATOR_WEBHOOK_SECRET: optionalString,
    /** Put the young person's words in the alert webhook (off: category, severity, code and links only). */
    ALERT_WEBHOOK_INCLUDE_TEXT: bool.default(false),
    /** Put the note a young person wrote for staff in the coordinator webhook (default: left out). */
    COORDINATOR_WEBHOOK_INCLUDE_TEXT: bool.default(false),
    // --- end webhook signing ---
    COORDINATOR_WEBHOOK_URL: optionalUrl,

    /** Staff chat identities told of every safeguarding alert at once. */
    SAFEGUARDING_ON_DUTY: identityList(channels),
    /** The designated safeguarding leads: told when nobody on duty acknowledges in time. */
    SAFEGUARDING_LEADS: identityList(channels),
    /** Coordinator chat identities told of every new one-to-one request. */
    COORDINATOR_IDS: identityList(channels),
    // --- Email for staff targets (`email:ADDRESS` in the lists above) ---
    /** Mail server for `email:` targets: `smtp://user:pass@host:port` (or `smtps://`). */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, { message: 'must start with smtp:// or smtps://' })
      .optional(),
    /** The From address of Haven's staff emails. */
    SMTP_FROM: z.string().min(3).default('Haven <haven@localhost>'),
    /** How often Haven checks that someone can be told of an alert (the dashboard and /readyz say when nobody can). */
    ALERT_REACH_CHECK_SECONDS: positiveInt.default(60),
    // --- end email ---
    ESCALATION_MINUTES: minutes.default(10),
    ESCALATION_URGENT_MINUTES: minutes.default(2),
    OFFICE_HOURS: officeHours.default('Mon-Fri 09:00-17:00'),
    TIMEZONE: z
      .string()
      .refine(
        (tz) => {
          try {
            new Intl.DateTimeFormat('en-GB', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        },
        { message: 'must be an IANA time zone such as Europe/London' },
      )
      .default('Europe/London'),

    /** Conversation state kept this long after last contact. */
    STATE_TTL_DAYS: positiveInt.default(30),
    /** How long "stop", "discreet" and when someone was last seen are kept after their last message. */
    PREFERENCES_TTL_DAYS: positiveInt.default(365),
    /** Platform retries of one message id are folded for this long. */
    DEDUPE_TTL_HOURS: positiveInt.default(168),
    JOIN_CODE_TTL_DAYS: positiveInt.default(14),
    /** Wrong join codes from everyone together in an hour before joining pauses for everyone (a guesser changing identity). */
    JOIN_FAILURES_PER_HOUR: positiveInt.default(200),
    /** Wrong join codes from one web chat address in an hour before joins from it wait (a guesser changing browser id). */
    JOIN_FAILURES_PER_ADDRESS_PER_HOUR: positiveInt.default(20),
    /** A join code stops working once this many wrong codes have been tried by anyone since it was issued. */
    JOIN_CODE_RETIRE_AFTER_FAILURES: positiveInt.default(2000),
    /** `/metrics` answers only with `Authorization: Bearer METRICS_TOKEN` (404 when unset in production). */
    METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    /** Session reminders: minutes before a one-to-one, comma-separated (the day before and 15 minutes before). */
    REMINDER_OFFSETS_MINUTES: z
      .string()
      .default('1440,15')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .map(Number),
      )
      .pipe(z.array(z.number().positive({ message: 'each offset must be a positive number of minutes' }))),
    /** Closed one-to-one requests are deleted this long after closing. */
    REQUEST_RETENTION_DAYS: positiveInt.default(90),
    /** How often the retention sweep runs (it logs counts; Redis TTLs do the deleting). */
    RETENTION_SWEEP_MINUTES: positiveInt.default(60),
    /** Online-safety refresher for someone not seen for this long. */
    REFRESHER_DAYS: positiveInt.default(60),
    /** How long a worker holds a job without renewing before another takes it up (a crashed worker). */
    QUEUE_LOCK_SECONDS: z.coerce.number().min(1).max(600).default(30),
    /** Messages accepted from one sender per minute; more are refused (and still screened). */
    INBOUND_RATE_PER_MINUTE: positiveInt.default(30),

    /** Key for pseudonymous ids (HMAC). Required in production. */
    ID_HASH_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    /** 32-byte key (64 hex characters or base64) for AES-256-GCM of stored channel addresses. Required in production. */
    DATA_ENCRYPTION_KEY: z
      .string()
      .refine((k) => decodeKey(k) !== null, {
        message: 'must be 32 bytes as 64 hex characters or base64',
      })
      .optional(),

    /** Staff-editable data files. */
    SAFEGUARDING_LEXICON_PATH: z.string().min(1).optional(),
    SAFETY_CONTENT_PATH: z.string().min(1).optional(),

    STAFF_SESSION_IDLE_MINUTES: positiveInt.default(30),
    /** A staff session ends this long after sign-in, however active. */
    STAFF_SESSION_MAX_HOURS: positiveInt.default(12),
    /** Signs staff cookies and alert links. Required in production. */
    SESSION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),

    /** Peer support groups: the Zoom link is sent this many minutes before a session starts (never days ahead). */
    GROUP_LINK_MINUTES_BEFORE: positiveInt.max(1440).default(30),
    /** Peer support groups: sign-up lists are deleted this many days after the session. */
    GROUP_RETENTION_DAYS: positiveInt.default(30),
    /** Peer support groups: a staff-edited file for the safety talk and expectations (bundled when unset). */
    GROUP_CONTENT_PATH: z.string().min(1).optional(),

    /** Staff inbox: threads are deleted this long after a conversation closes (or last activity while open). */
    CONVERSATION_RETENTION_DAYS: positiveInt.default(30),
    /** Staff inbox: a wait longer than this, in office hours, shows as overdue and is offered to all staff. */
    INBOX_REASSIGN_MINUTES: positiveInt.default(30),
    /** Staff inbox: a held conversation with no staff message for this long goes back to Haven. */
    INBOX_HANDBACK_MINUTES: positiveInt.default(60),
  });

/** The settings schema with every registered channel. */
export const configSchema = buildConfigSchema();

export type Config = z.infer<ReturnType<typeof coreSchema>> &
  ChannelSettings & {
    /** Decoded DATA_ENCRYPTION_KEY (or the development key). */
    dataKey: Buffer;
    idHashSecret: string;
    sessionSecret: string;
  };

/** Thrown when settings are wrong; its message lists every problem, one per line. */
export { ConfigError };

/** Decodes a 32-byte key given as hex or base64; null when it is neither. */
export function decodeKey(k: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(k)) return Buffer.from(k, 'hex');
  const b = Buffer.from(k, 'base64');
  return b.length === 32 ? b : null;
}

// Development-only secrets: fixed so that a restart can still read what it stored, and loud in the log.
const DEV_KEY = Buffer.alloc(32, 7);
const DEV_SECRET = 'haven-development-only-secret-do-not-use-in-production';

/**
 * Parses settings from an environment (default `process.env`, after reading `.env` when present).
 * Throws {@link ConfigError} naming every wrong setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment(), channels: ChannelList = CHANNELS): Config {
  // Empty strings are treated as unset, as docker-compose writes `NAME=` for an unset variable.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = (channels === CHANNELS ? configSchema : buildConfigSchema(channels)).safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.') || '(settings)';
      const got = cleaned[String(issue.path[0])];
      problems.push(`${name}: ${issue.message}${got !== undefined ? ` (got ${redactValue(name, got)})` : ''}`);
    }
  }
  // Settings that only make sense together: checked on what was given, so that one message lists
  // these problems alongside any wrong value above.
  const c = cleaned;
  problems.push(...channelSettingsProblems(c, channels));
  // An email target with no mail server could never be told: refused at start, not at the first alert.
  const emailTargets = ['SAFEGUARDING_ON_DUTY', 'SAFEGUARDING_LEADS', 'COORDINATOR_IDS'].filter((n) =>
    /(^|,)\s*email:/.test(c[n] ?? ''),
  );
  if (emailTargets.length && !c.SMTP_URL)
    problems.push(`SMTP_URL: needed because ${emailTargets.join(', ')} name an email: target`);
  if (c.REDIS_CLUSTER_NODES && c.REDIS_URL && !/^rediss?:\/\/[^/]*(\/0?)?$/.test(c.REDIS_URL)) {
    problems.push(
      'REDIS_URL: a Redis Cluster has only database 0, so REDIS_URL must not name another database when REDIS_CLUSTER_NODES is set',
    );
  }
  if (c.NODE_ENV === 'production') {
    for (const n of ['ID_HASH_SECRET', 'DATA_ENCRYPTION_KEY', 'SESSION_SECRET'] as const) {
      if (!c[n])
        problems.push(`${n}: required when NODE_ENV=production (children's data must not use a development key)`);
    }
    problems.push(...productionProblems(c));
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const settings = parsed.data as unknown as Omit<Config, 'dataKey' | 'idHashSecret' | 'sessionSecret'>;
  return {
    ...settings,
    dataKey: settings.DATA_ENCRYPTION_KEY ? (decodeKey(settings.DATA_ENCRYPTION_KEY) as Buffer) : DEV_KEY,
    idHashSecret: settings.ID_HASH_SECRET ?? DEV_SECRET,
    sessionSecret: settings.SESSION_SECRET ?? DEV_SECRET,
  };
}

/** True when the development fallbacks for secrets are in use (the log says so at start). */
export function usesDevelopmentSecrets(c: Config): boolean {
  return !c.ID_HASH_SECRET || !c.DATA_ENCRYPTION_KEY || !c.SESSION_SECRET;
}

function redactValue(name: string, value: string): string {
  return /SECRET|TOKEN|PASSWORD|KEY/i.test(name) ? '(hidden)' : JSON.stringify(value.slice(0, 60));
}

/** The process environment, with `.env` merged in underneath it when the file exists. */
export function readEnvironment(path = '.env'): NodeJS.ProcessEnv {
  if (existsSync(path)) {
    // Node's own loader: it does not override variables already set in the environment.
    process.loadEnvFile(path);
  }
  return process.env;
}

// --- Production refuses development, published and weak secrets ---
/** Words that mark a placeholder or a published example, never a generated secret. */
const PLACEHOLDER = /do-not-use|development|changeme|change-me|example|placeholder|password|secret|haven/i;

/** Why a secret string is too weak for production, or null. */
function weakSecret(v: string): string | null {
  if (v === DEV_SECRET || PLACEHOLDER.test(v)) return 'is a development or example value';
  if (new Set(v).size < 10) return 'has too few different characters to be a generated secret';
  if (/^(.{1,8})\1+$/.test(v)) return 'is one short piece repeated';
  return null;
}

/** Why a 32-byte key is too weak for production, or null (an undecodable one is reported by the schema). */
function weakKey(v: string): string | null {
  const key = decodeKey(v);
  if (!key) return null;
  if (key.equals(DEV_KEY)) return 'is the development key';
  if (key.every((b) => b === 0)) return 'is all zeros';
  if (new Set(key).size < 16) return 'has too few different bytes to be a random key';
  return null;
}

/** Secrets production must not run with: development, published, all-zero, weak, or the same one twice; and `webchat:` staff. */
function productionProblems(c: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const generate = '(make one with: openssl rand -base64 32)';
  for (const n of ['ID_HASH_SECRET', 'SESSION_SECRET'] as const) {
    const why = c[n] ? weakSecret(c[n]) : null;
    if (why) problems.push(`${n}: ${why} ${generate}`);
  }
  const keyWhy = c.DATA_ENCRYPTION_KEY ? weakKey(c.DATA_ENCRYPTION_KEY) : null;
  if (keyWhy) problems.push(`DATA_ENCRYPTION_KEY: ${keyWhy} (make one with: openssl rand -hex 32)`);
  if (c.ID_HASH_SECRET && c.ID_HASH_SECRET === c.SESSION_SECRET)
    problems.push('SESSION_SECRET: must differ from ID_HASH_SECRET');
  // A web chat identity is a bearer string anyone who learns it can use: staff on the web sign in
  // to the dashboard instead.
  for (const n of ['SAFEGUARDING_ON_DUTY', 'SAFEGUARDING_LEADS', 'COORDINATOR_IDS'] as const) {
    if (/(^|,)\s*webchat:/.test(c[n] ?? ''))
      problems.push(
        `${n}: webchat: staff identities are refused in production (whoever knows one reads every alert); staff use the dashboard, an email: target or a platform identity`,
      );
  }
  return problems;
}
// --- end production secrets ---
