import { defineChannel } from '../kit/channel';
import { botFrameworkSettings } from './settings';

/**
 * Teams, Web Chat, Direct Line and the Emulator through Azure Bot Service. With no MicrosoftAppId it
 * would run unauthenticated (for the Emulator): in production that is off (/api/messages answers 404)
 * unless BOTFRAMEWORK_EMULATOR=true says so on purpose (and the Channels page then warns).
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
  enabled: (s, env) => Boolean(s.MicrosoftAppId) || !env.production || s.BOTFRAMEWORK_EMULATOR === true,
  offReason: () =>
    'Bot Framework channel off: MicrosoftAppId is not set (BOTFRAMEWORK_EMULATOR=true opens it unauthenticated)',
  create: (s, d) => load().createBotFrameworkChannel(s, { redis: d.redis, keys: d.keys, log: d.log }),
});

// The channel's code (and botbuilder) loads only when the channel is made.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./index') as typeof import('./index');
