import type { ChannelStatus } from '../../adapters/kit/adapter';
import { html, type SafeHtml } from '../html';

const STATE_TEXT: Record<ChannelStatus['state'], string> = {
  starting: 'Starting',
  ready: 'Working',
  standby: 'Standing by',
  needs_pairing: 'Needs pairing',
  down: 'Not working',
  stopped: 'Stopped',
};

/** Each channel's state; the WhatsApp pairing QR (a data URL made by `qrcode`) when it needs pairing. */
export function channelsBody(channels: Array<ChannelStatus & { qrDataUrl?: string }>): SafeHtml {
  const pairing = channels.some((c) => c.state === 'needs_pairing');
  return html`<h1>Channels</h1>
    ${pairing ? html`<p class="notice" data-reload-every="20">This page refreshes every 20 seconds while a channel needs pairing.</p>` : ''}
    <ul class="list">
      ${channels.map(
        (c) =>
          html`<li class="card" data-channel="${c.channel}">
            <h2>
              ${c.channel}
              ${
                c.warning
                  ? html`<span class="badge urgent">Unsafe</span>`
                  : html`<span class="badge ${c.state === 'ready' ? 'ok' : c.state === 'down' ? 'urgent' : 'medium'}"
                      >${STATE_TEXT[c.state]}</span
                    >`
              }
            </h2>
            ${c.warning ? html`<p class="notice urgent" role="alert" data-channel-warning>${c.warning}</p>` : ''}
            ${c.detail ? html`<p class="meta">${c.detail}</p>` : ''}
            ${
              c.qrDataUrl
                ? html`<h3>Pair WhatsApp</h3>
                    <p>
                      On the charity's phone open WhatsApp → Settings → Linked devices → Link a device, and scan this
                      code.
                    </p>
                    <img
                      class="qr"
                      src="${c.qrDataUrl}"
                      alt="WhatsApp pairing QR code. Scan it with the charity's phone."
                      width="280"
                      height="280"
                    />`
                : ''
            }
            ${c.pairing?.code ? html`<p>Or enter this pairing code on the phone: <strong class="code">${c.pairing.code}</strong></p>` : ''}
          </li>`,
      )}
    </ul>`;
}
