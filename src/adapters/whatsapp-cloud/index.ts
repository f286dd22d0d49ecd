import type { Redis } from 'ioredis';
import { ConfigError } from '../../common/errors';
import type { WhatsAppCloudSettings } from './settings';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import { WhatsAppCloudAdapter } from './adapter';

export { WHATSAPP_CLOUD_CODES, WhatsAppCloudAdapter, type WhatsAppCloudConfig } from './adapter';
export { parseWabaEvent } from './events';
export { BUTTON_TITLE_MAX, INTERACTIVE_BODY_MAX, MAX_BUTTONS, fitsButtons, withNumberedChoices } from './outgoing';

export type { WhatsAppCloudSettings } from './settings';

/** Creates the WhatsApp Cloud API transport; throws a {@link ConfigError} naming every missing setting. */
export function createWhatsAppCloudAdapter(
  config: WhatsAppCloudSettings,
  deps: { redis: Redis; keys: Keys; log: Logger },
): WhatsAppCloudAdapter {
  const names = [
    'WHATSAPP_CLOUD_ACCESS_TOKEN',
    'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
    'WHATSAPP_CLOUD_APP_SECRET',
    'WHATSAPP_CLOUD_VERIFY_TOKEN',
  ] as const;
  const missing = names.filter((n) => !config[n]);
  if (missing.length) throw new ConfigError(missing.map((n) => `${n}: needed for the WhatsApp Cloud API`));
  return new WhatsAppCloudAdapter({
    accessToken: config.WHATSAPP_CLOUD_ACCESS_TOKEN as string,
    phoneNumberId: config.WHATSAPP_CLOUD_PHONE_NUMBER_ID as string,
    appSecret: config.WHATSAPP_CLOUD_APP_SECRET as string,
    verifyToken: config.WHATSAPP_CLOUD_VERIFY_TOKEN as string,
    apiUrl: config.WHATSAPP_CLOUD_API_URL,
    ...deps,
  });
}
