import { defineChannel } from '../kit/channel';
import { webchatSettings } from './settings';

/** Haven's own web chat at /chat: always on. */
export const webchatChannel = defineChannel({
  name: 'webchat',
  settings: webchatSettings,
  enabled: () => true,
  create: (s, d) =>
    load().createWebchatAdapter({
      redis: d.redis,
      subscriber: d.connect('webchat-subscriber'),
      keys: d.keys,
      log: d.log,
      charityName: d.charityName,
      addressKey: d.addressKey,
      ratePerAddressPerMinute: s.WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE,
      streamsPerAddress: s.WEBCHAT_STREAMS_PER_ADDRESS,
      streamsTotal: s.WEBCHAT_STREAMS_TOTAL,
    }),
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
