import { defineChannel } from '../kit/channel';
import { whatsAppCloudSettings } from './settings';

/** WhatsApp through Meta's Cloud API (on when its settings are given). */
export const whatsAppCloudChannel = defineChannel({
  name: 'whatsapp-cloud',
  settings: whatsAppCloudSettings,
  together: [
    {
      names: [
        'WHATSAPP_CLOUD_ACCESS_TOKEN',
        'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
        'WHATSAPP_CLOUD_APP_SECRET',
        'WHATSAPP_CLOUD_VERIFY_TOKEN',
      ],
      label: 'the WhatsApp Cloud API',
    },
  ],
  enabled: (s) => Boolean(s.WHATSAPP_CLOUD_ACCESS_TOKEN),
  create: (s, d) => load().createWhatsAppCloudAdapter(s, { redis: d.redis, keys: d.keys, log: d.log }),
});

// The channel's code (and its dependencies) loads only when the channel is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
