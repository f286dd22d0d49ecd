import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Adapter } from '../core/adapter';
import type { Keys } from '../core/keys';
import type { Logger } from '../core/logger';
import type { Metrics } from '../core/metrics';
import { createWebchatAdapter } from './webchat';

/** What adapters may use from the composition root. */
export interface AdapterDeps {
  config: Config;
  redis: Redis;
  /** Opens a new Redis connection that the caller's `stop()` closes (pub/sub, locks). */
  connect: (purpose: string) => Redis;
  keys: Keys;
  log: Logger;
  metrics: Metrics;
}

/**
 * Every channel whose settings are present. The web chat is always on; each platform adapter is
 * added here by its own block, and reads only its own settings.
 */
export function buildAdapters(d: AdapterDeps): Adapter[] {
  const adapters: Adapter[] = [];
  adapters.push(
    createWebchatAdapter({
      redis: d.redis,
      subscriber: d.connect('webchat-subscriber'),
      keys: d.keys,
      log: d.log.child({ channel: 'webchat' }),
      charityName: d.config.CHARITY_NAME,
    }),
  );
  return adapters;
}
