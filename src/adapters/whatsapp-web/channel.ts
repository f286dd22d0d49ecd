import { defineChannel } from '../kit/channel';
import { whatsAppWebSettings } from './settings';

/** WhatsApp through whatsapp-web.js, a linked device in Chromium (`WHATSAPP_ENABLED=true`). */
export const whatsAppWebChannel = defineChannel({
  name: 'whatsapp',
  settings: whatsAppWebSettings,
  enabled: (s) => s.WHATSAPP_ENABLED,
  create: (s, d) => {
    const channel = load();
    return channel.createWhatsAppWebAdapter(
      {
        authPath: s.WHATSAPP_AUTH_PATH,
        executablePath: s.PUPPETEER_EXECUTABLE_PATH,
        pairingNumber: s.WHATSAPP_PAIRING_NUMBER,
      },
      {
        redis: d.redis,
        keys: d.keys,
        log: d.log,
        // Tests pass a fake whatsapp-web.js client under the channel's name.
        createClient: d.hooks?.whatsapp as import('./client').ClientFactory | undefined,
      },
    );
  },
});

// The channel's code (and whatsapp-web.js) loads only when the channel is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
