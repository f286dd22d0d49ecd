import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Adapter, ChannelStatus } from '../../adapters/kit/adapter';
import type { ChannelName } from '../../engine/message';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { channelsBody } from '../pages/channels';
import { sendHtml } from '../respond';

/** The channels page. */
export function registerChannelRoutes(
  app: FastifyInstance,
  d: { auth: StaffAuth; adapters: Map<ChannelName, Adapter> },
): void {
  app.get('/staff/channels', { preHandler: d.auth.guard('channels') }, async (req, reply) => {
    const channels: Array<ChannelStatus & { qrDataUrl?: string }> = [];
    for (const a of d.adapters.values()) {
      // A channel driven by one process (WhatsApp Web) is shown as that process sees it.
      const s = a.sharedStatus ? await a.sharedStatus() : a.status();
      const qrDataUrl = s.pairing?.qr
        ? await QRCode.toDataURL(s.pairing.qr, { errorCorrectionLevel: 'L', margin: 2, width: 280 })
        : undefined;
      // `pairing` is not enumerable (so /readyz never shows it): a spread alone would drop the code.
      channels.push({ ...s, pairing: s.pairing, qrDataUrl });
    }
    const s = req.staff!;
    return sendHtml(
      reply,
      page({ title: 'Channels', account: s.account, area: 'channels', csrf: s.session.csrf }, channelsBody(channels)),
    );
  });
}
