import type { Redis } from 'ioredis';
import { ConfigError } from '../../common/errors';
import type { MessengerSettings } from './settings';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import { MessengerAdapter } from './adapter';

export { MESSENGER_CODES, MessengerAdapter, SLOW_REPLY_CHARS, type MessengerConfig } from './adapter';
export { GET_STARTED, parsePageEvent } from './events';
export { QUICK_REPLY_MAX, QUICK_REPLY_TITLE_MAX, toQuickReplies, truncateTitle } from './outgoing';
export { PERSISTENT_MENU, messengerProfile, setupMessengerProfile } from './profile';

export type { MessengerSettings } from './settings';

/**
 * Creates the Messenger channel; throws a {@link ConfigError} naming every missing setting.
 */
export function createMessengerAdapter(
  config: MessengerSettings,
  deps: { redis: Redis; keys: Keys; log: Logger },
): MessengerAdapter {
  const names = ['MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN', 'MESSENGER_PAGE_ACCESS_TOKEN'] as const;
  const missing = names.filter((n) => !config[n]);
  if (missing.length) throw new ConfigError(missing.map((n) => `${n}: needed for Messenger`));
  return new MessengerAdapter({
    appSecret: config.MESSENGER_APP_SECRET as string,
    verifyToken: config.MESSENGER_VERIFY_TOKEN as string,
    pageAccessToken: config.MESSENGER_PAGE_ACCESS_TOKEN as string,
    apiUrl: config.MESSENGER_API_URL,
    ...deps,
  });
}
