import type { ChannelName } from '../../engine/message';

/** What a channel's messaging window allows a member of staff to send now. */
export interface ChannelWindow {
  /** False when the platform would refuse a message from staff now. */
  canSend: boolean;
  /** `response`: a standard reply; `human_agent`: Messenger's HUMAN_AGENT tag; `none`: no window applies. */
  mode: 'none' | 'response' | 'human_agent' | 'closed';
  /** Plain words for staff, shown before they type. */
  say: string;
  /** When the current allowance ends (ms), if it does. */
  until?: number;
}

const HOUR = 3600_000;

/**
 * The platform rules for a human-written message, as the adapters apply them (adapters/messenger
 * and adapters/whatsapp-cloud refuse what this refuses): Messenger, a standard message within 24
 * hours of the young person's last message and a HUMAN_AGENT-tagged one up to 7 days; WhatsApp
 * Cloud, 24 hours (after that only an approved template, which Haven does not send for human
 * chat); WhatsApp Web, the web chat and Bot Framework have no window.
 */
export function channelWindow(channel: ChannelName, lastInboundAt: number | undefined, now: number): ChannelWindow {
  if (channel === 'messenger') {
    if (lastInboundAt === undefined)
      return {
        canSend: false,
        mode: 'closed',
        say: "Messenger won't take a message: Haven has no recent message from them (7 days is Messenger's limit).",
      };
    const age = now - lastInboundAt;
    if (age < 24 * HOUR)
      return {
        canSend: true,
        mode: 'response',
        say: 'Messenger: a normal reply is allowed (they wrote in the last 24 hours).',
        until: lastInboundAt + 24 * HOUR,
      };
    if (age < 7 * 24 * HOUR)
      return {
        canSend: true,
        mode: 'human_agent',
        say: "Messenger: they last wrote over 24 hours ago, so your reply goes with Messenger's human agent tag (allowed for 7 days).",
        until: lastInboundAt + 7 * 24 * HOUR,
      };
    return {
      canSend: false,
      mode: 'closed',
      say: "Messenger won't take a message: they last wrote more than 7 days ago. Messenger only lets a person reply within 7 days. Wait for them to write again, or reach them another way.",
    };
  }
  if (channel === 'whatsapp-cloud') {
    if (lastInboundAt !== undefined && now - lastInboundAt < 24 * HOUR)
      return {
        canSend: true,
        mode: 'response',
        say: 'WhatsApp: a reply is allowed (they wrote in the last 24 hours).',
        until: lastInboundAt + 24 * HOUR,
      };
    return {
      canSend: false,
      mode: 'closed',
      say: "WhatsApp won't take a message: they last wrote more than 24 hours ago. After 24 hours WhatsApp only allows approved templates, which Haven doesn't send for a chat. Wait for them to write again.",
    };
  }
  return { canSend: true, mode: 'none', say: `${CHANNEL_NAMES[channel]}: no time limit on replies.` };
}

/** Channel names as staff know them. */
export const CHANNEL_NAMES: Record<ChannelName, string> = {
  webchat: 'Web chat',
  messenger: 'Messenger',
  botframework: 'Teams / Web Chat',
  whatsapp: 'WhatsApp',
  'whatsapp-cloud': 'WhatsApp',
};
