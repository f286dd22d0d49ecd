import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Adapter } from '../../adapters/kit/adapter';
import type { Config } from '../../config';
import type { ChannelName } from '../../engine/message';
import { CHANNELS } from '../../adapters/registry';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { channelsBody, type ChannelRow } from '../pages/channels';
import { sendHtml } from '../respond';

/** How to turn on a channel that is off. */
const HOW_TO_TURN_ON: Record<ChannelName, string> = {
  webchat: 'The web chat is always on.',
  messenger: 'Off. To turn it on, set MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN.',
  botframework:
    'Off. To turn it on for Teams, set MicrosoftAppId and MicrosoftAppPassword (MicrosoftAppType and MicrosoftAppTenantId for a single tenant).',
  whatsapp: 'Off. To turn it on, set WHATSAPP_ENABLED=true and pair the charity phone here.',
  'whatsapp-cloud':
    'Off. To turn it on, set WHATSAPP_CLOUD_ACCESS_TOKEN, WHATSAPP_CLOUD_PHONE_NUMBER_ID, WHATSAPP_CLOUD_APP_SECRET and WHATSAPP_CLOUD_VERIFY_TOKEN.',
};

/** A running channel whose settings make it unsafe, in plain words; undefined when it is safe. */
export function channelWarning(channel: ChannelName, config: Pick<Config, 'MicrosoftAppId'>): string | undefined {
  if (channel === 'botframework' && !config.MicrosoftAppId)
    return 'No MicrosoftAppId is set, so messages to /api/messages are not signed: anyone can send Haven messages as any user. Use this only with the Bot Framework Emulator on your own computer, never on a live site.';
  return undefined;
}

/** The channels page: every channel, on or off. */
export function registerChannelRoutes(
  app: FastifyInstance,
  d: { auth: StaffAuth; adapters: Map<ChannelName, Adapter>; config: Pick<Config, 'MicrosoftAppId'> },
): void {
  app.get('/staff/channels', { preHandler: d.auth.guard('channels') }, async (req, reply) => {
    const channels: ChannelRow[] = [];
    for (const { name } of CHANNELS) {
      const a = d.adapters.get(name);
      if (!a) {
        channels.push({ channel: name, state: 'off', detail: HOW_TO_TURN_ON[name] ?? 'not set up' });
        continue;
      }
      // A channel driven by one process (WhatsApp Web) is shown as that process sees it.
      const s = a.sharedStatus ? await a.sharedStatus() : a.status();
      const qrDataUrl = s.pairing?.qr
        ? await QRCode.toDataURL(s.pairing.qr, { errorCorrectionLevel: 'L', margin: 2, width: 280 })
        : undefined;
      // `pairing` is not enumerable (so /readyz never shows it): a spread alone would drop the code.
      // The settings' warning in staff's words; else the adapter's own (so no adapter's warning is dropped).
      channels.push({ ...s, pairing: s.pairing, qrDataUrl, warning: channelWarning(name, d.config) ?? s.warning });
    }
    const s = req.staff!;
    return sendHtml(
      reply,
      page({ title: 'Channels', account: s.account, area: 'channels', csrf: s.session.csrf }, channelsBody(channels)),
    );
  });
}
