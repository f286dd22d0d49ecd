import type { InboundMessage } from '../../engine/message';
import type { WhatsAppMessage } from './client';

/** Things a person sent that Haven cannot read: answered with "I can only read text" (nothing is downloaded). */
const MEDIA_TYPES = new Set([
  'image',
  'video',
  'audio',
  'ptt',
  'document',
  'sticker',
  'location',
  'vcard',
  'multi_vcard',
  'album',
  'poll_creation',
]);

/**
 * System and notification messages WhatsApp puts in a chat: never answered. Listed for the reader;
 * any type that is neither `chat` nor media is ignored anyway (unknown types are not answered).
 */
export const SYSTEM_TYPES = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'group_notification',
  'call_log',
  'protocol',
  'revoked',
  'ciphertext',
  'gp2',
  'broadcast_notification',
  'debug',
  'oversized',
  'unknown',
]);

/** Why a message was not handed to the core (for counting in logs; never the content). */
export type IgnoreReason = 'from_me' | 'group' | 'status' | 'system' | 'empty';

/**
 * A whatsapp-web.js message as Haven's {@link InboundMessage}, or the reason it is ignored: the
 * charity's own messages, group chats, status updates, channels and system notices are never answered.
 */
export function toInbound(m: WhatsAppMessage): InboundMessage | IgnoreReason {
  if (m.fromMe) return 'from_me';
  if (m.isStatus || m.from === 'status@broadcast' || m.from.endsWith('@broadcast') || m.from.endsWith('@newsletter'))
    return 'status';
  if (m.from.endsWith('@g.us')) return 'group';
  const base = {
    channel: 'whatsapp' as const,
    messageId: m.id._serialized,
    senderId: m.from,
    sentAt: m.timestamp > 0 ? m.timestamp * 1000 : Date.now(),
    address: { chatId: m.from },
  };
  if (m.type === 'chat') {
    if (!m.body.trim()) return 'empty';
    return { ...base, kind: 'text', text: m.body };
  }
  if (SYSTEM_TYPES.has(m.type)) return 'system';
  // whatsapp-web.js puts a photo's or video's caption in `body` when `hasMedia`; other types' body
  // can be a thumbnail, never read. A caption is screened like any message.
  if (m.hasMedia || MEDIA_TYPES.has(m.type)) return { ...base, kind: 'media', text: m.hasMedia ? m.body.trim() : '' };
  return 'system';
}
