import { defineChannel } from '../kit/channel';
import { messengerSettings } from './settings';

/** Facebook Messenger through the Send API (on when its settings are given). */
export const messengerChannel = defineChannel({
  name: 'messenger',
  settings: messengerSettings,
  together: [
    { names: ['MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN', 'MESSENGER_PAGE_ACCESS_TOKEN'], label: 'Messenger' },
  ],
  enabled: (s) => Boolean(s.MESSENGER_APP_SECRET),
  create: (s, d) => load().createMessengerAdapter(s, { redis: d.redis, keys: d.keys, log: d.log }),
});

// The channel's code (and its dependencies) loads only when the channel is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
