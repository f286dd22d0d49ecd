import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Logger } from '../../common/logger';
import type { Metrics } from '../../common/metrics';
import type { Keys } from '../../engine/keys';
import type { Adapter } from './adapter';

/** What every channel's factory gets from the composition root. */
export interface ChannelDeps {
  redis: Redis;
  /** Opens a new Redis connection that the composition root closes at shutdown (pub/sub, locks). */
  connect: (purpose: string) => Redis;
  keys: Keys;
  /** Already tagged with the channel's name. */
  log: Logger;
  metrics: Metrics;
  /** The charity's name as young people know it. */
  charityName: string;
  /** A keyed hash of a network address: what a channel keys per-address limits by, never the address. */
  addressKey: (address: string) => string;
  /** Test doubles by channel name (a fake whatsapp-web.js client); unset in production. */
  hooks?: Readonly<Record<string, unknown>>;
}

/** Settings that only make sense together: all given, or none. */
export interface SettingsGroup {
  names: readonly string[];
  /** How the problem names the channel: "needed for <label>". */
  label: string;
}

/**
 * One channel, as the registry (src/adapters/registry.ts) lists it: its name, the zod shape of its
 * own settings (environment variable names), which settings go together, and its factory. The
 * factory loads the channel's SDK only when called, so reading settings never loads an SDK.
 */
export interface ChannelDefinition<S extends z.ZodRawShape = z.ZodRawShape> {
  /** The channel's name: in conversation ids, staff identities (`name:id`) and logs. */
  readonly name: string;
  /** Its settings, merged into the one settings schema (src/config). */
  readonly settings: S;
  /** Groups of settings that must be given together; each missing one is named. */
  readonly together?: readonly SettingsGroup[];
  /** Any other rule across its settings, on what was given (unparsed); returns problems. */
  check?(given: Readonly<Record<string, string | undefined>>): string[];
  /** Whether it runs with these settings (`production`: NODE_ENV is production). */
  enabled(settings: z.infer<z.ZodObject<S>>, env: { production: boolean }): boolean;
  /** Why it is off when {@link enabled} says no though some of its settings are given (logged at start). */
  offReason?(settings: z.infer<z.ZodObject<S>>): string;
  /** Makes the adapter; fails with a ConfigError naming any missing setting. */
  create(settings: z.infer<z.ZodObject<S>>, deps: ChannelDeps): Adapter;
}

/** Declares a channel (typed against its own settings). */
export function defineChannel<S extends z.ZodRawShape>(def: ChannelDefinition<S>): ChannelDefinition<S> {
  return def;
}
