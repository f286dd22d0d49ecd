import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Adapter } from './kit/adapter';
import type { Keys } from '../engine/keys';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import { createWebchatAdapter } from './webchat';
import { createBotFrameworkChannel } from './botframework';
import { createWhatsAppWebAdapter, type ClientFactory } from './whatsapp-web';
import { createMessengerAdapter } from './messenger';
import { createWhatsAppCloudAdapter } from './whatsapp-cloud';

/** What adapters may use from the composition root. */
export interface AdapterDeps {
  config: Config;
  redis: Redis;
  /** Opens a new Redis connection that the caller's `stop()` closes (pub/sub, locks). */
  connect: (purpose: string) => Redis;
  keys: Keys;
  log: Logger;
  metrics: Metrics;
  /** Makes the whatsapp-web.js client (tests inject a fake; default the real one). */
  whatsappClientFactory?: ClientFactory;
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
      ratePerAddressPerMinute: d.config.WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE,
      streamsPerAddress: d.config.WEBCHAT_STREAMS_PER_ADDRESS,
      streamsTotal: d.config.WEBCHAT_STREAMS_TOTAL,
    }),
  );
  // --- Bot Framework: Teams, Web Chat, Direct Line, Emulator (src/adapters/botframework) ---
  // With no MicrosoftAppId it would run unauthenticated (for the Emulator): in production that is
  // off (/api/messages answers 404) unless BOTFRAMEWORK_EMULATOR=true says so on purpose.
  if (d.config.MicrosoftAppId || d.config.NODE_ENV !== 'production' || d.config.BOTFRAMEWORK_EMULATOR) {
    adapters.push(
      createBotFrameworkChannel(d.config, {
        redis: d.redis,
        keys: d.keys,
        log: d.log.child({ channel: 'botframework' }),
      }),
    );
  } else {
    d.log.info(
      'Bot Framework channel off: MicrosoftAppId is not set (BOTFRAMEWORK_EMULATOR=true opens it unauthenticated)',
    );
  }
  // --- end Bot Framework ---
  // --- Messenger and the WhatsApp Cloud API (src/adapters/messenger, src/adapters/whatsapp-cloud) ---
  // Config already requires each channel's settings together; the factories name any missing one.
  if (d.config.MESSENGER_APP_SECRET) {
    adapters.push(
      createMessengerAdapter(d.config, { redis: d.redis, keys: d.keys, log: d.log.child({ channel: 'messenger' }) }),
    );
  }
  if (d.config.WHATSAPP_CLOUD_ACCESS_TOKEN) {
    adapters.push(
      createWhatsAppCloudAdapter(d.config, {
        redis: d.redis,
        keys: d.keys,
        log: d.log.child({ channel: 'whatsapp-cloud' }),
      }),
    );
  }
  // --- end Messenger / WhatsApp Cloud API ---
  // --- WhatsApp through whatsapp-web.js (src/adapters/whatsapp) ---
  if (d.config.WHATSAPP_ENABLED) {
    adapters.push(
      createWhatsAppWebAdapter(
        {
          authPath: d.config.WHATSAPP_AUTH_PATH,
          executablePath: d.config.PUPPETEER_EXECUTABLE_PATH,
          pairingNumber: d.config.WHATSAPP_PAIRING_NUMBER,
        },
        {
          redis: d.redis,
          keys: d.keys,
          log: d.log.child({ channel: 'whatsapp' }),
          createClient: d.whatsappClientFactory,
        },
      ),
    );
  }
  // --- end WhatsApp (whatsapp-web.js) ---
  return adapters;
}
