import { defineChannel } from '../kit/channel';
import { botFrameworkSettings } from './settings';

/**
 * Teams, Web Chat, Direct Line and the Emulator through Azure Bot Service. Always on: with no
 * MicrosoftAppId it runs unauthenticated for the Emulator and logs so at start.
 */
export const botFrameworkChannel = defineChannel({
  name: 'botframework',
  settings: botFrameworkSettings,
  check: (c) => [
    ...(c.MicrosoftAppId && !c.MicrosoftAppPassword && c.MicrosoftAppType !== 'UserAssignedMSI'
      ? ['MicrosoftAppPassword: needed for the Bot Framework because MicrosoftAppId is set']
      : []),
    ...(c.MicrosoftAppType === 'SingleTenant' && !c.MicrosoftAppTenantId
      ? ['MicrosoftAppTenantId: needed because MicrosoftAppType is SingleTenant']
      : []),
  ],
  enabled: () => true,
  create: (s, d) => load().createBotFrameworkChannel(s, { redis: d.redis, keys: d.keys, log: d.log }),
});

// The channel's code (and botbuilder) loads only when the channel is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
