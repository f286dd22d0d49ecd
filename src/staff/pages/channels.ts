import type { ChannelStatus } from '../../adapters/kit/adapter';
import type { ChannelName } from '../../engine/message';
import { html, type SafeHtml } from '../html';

/** One row of the Channels page: a running channel's status, or a channel that is off. */
export type ChannelRow =
  | (ChannelStatus & { qrDataUrl?: string; warning?: string })
  | {
      channel: ChannelName;
      state: 'off';
      detail: string;
      warning?: undefined;
      qrDataUrl?: undefined;
      pairing?: undefined;
    };

const STATE_TEXT: Record<ChannelRow['state'], string> = {
  starting: 'Starting',
  ready: 'Working',
  standby: 'Standing by',
  needs_pairing: 'Needs pairing',
  down: 'Not working',
  stopped: 'Stopped',
  off: 'Off',
};

/** What each channel is, in staff's words. */
export const CHANNEL_TITLES: Record<ChannelName, string> = {
  webchat: 'Web chat (/chat on this site)',
  messenger: 'Facebook Messenger',
  botframework: 'Microsoft Teams and Bot Framework Web Chat',
  whatsapp: 'WhatsApp (linked phone, WhatsApp Web)',
  'whatsapp-cloud': 'WhatsApp (Cloud API)',
};

function badge(c: ChannelRow): SafeHtml {
  if (c.warning) return html`<span class="badge warn">Unsafe: ${STATE_TEXT[c.state]}</span>`;
  const cls = c.state === 'ready' ? 'ok' : c.state === 'down' ? 'urgent' : c.state === 'off' ? 'off' : 'medium';
  return html`<span class="badge ${cls}">${STATE_TEXT[c.state]}</span>`;
}

/**
 * Every channel Haven has, on or off, with its state; a channel running in an unsafe mode gets a
 * warning badge and says why, never a green "Working". The WhatsApp pairing QR (a data URL made by
 * `qrcode`) when it needs pairing.
 */
export function channelsBody(channels: ChannelRow[]): SafeHtml {
  const pairing = channels.some((c) => c.state === 'needs_pairing');
  const unsafe = channels.filter((c) => c.warning);
  return html`<h1>Channels</h1>
    ${
      unsafe.length
        ? html`<p class="warning" role="alert">
            ${unsafe.length === 1 ? 'One channel is' : `${unsafe.length} channels are`} running in an unsafe mode:
            ${unsafe.map((c) => CHANNEL_TITLES[c.channel]).join(', ')}. See below.
          </p>`
        : ''
    }
    ${pairing ? html`<p class="notice" data-reload-every="20">This page refreshes every 20 seconds while a channel needs pairing.</p>` : ''}
    <ul class="list">
      ${channels.map(
        (c) =>
          html`<li
            class="card${c.warning ? ' unsafe' : ''}${c.state === 'off' ? ' off' : ''}"
            data-channel="${c.channel}"
            data-state="${c.state}"
          >
            <h2>${CHANNEL_TITLES[c.channel] ?? c.channel} ${badge(c)}</h2>
            ${c.warning ? html`<p class="warning-text" data-channel-warning><strong>Warning:</strong> ${c.warning}</p>` : ''}
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
