import { z } from 'zod';
import type { InboundMessage } from '../../engine/message';
import type { WebhookVerdict } from '../meta';

/** A WhatsApp Cloud API webhook body: `{object: "whatsapp_business_account", entry: [{changes: [...]}]}`. */
export const wabaEventSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z
      .object({
        id: z.string(),
        changes: z.array(z.object({ field: z.string(), value: z.unknown() }).loose()),
      })
      .loose(),
  ),
});

const valueSchema = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    metadata: z.object({ phone_number_id: z.string() }).loose(),
    contacts: z.array(z.object({ wa_id: z.string() }).loose()).optional(),
    messages: z.array(z.unknown()).optional(),
  })
  .loose();

/** A photo, video or document: only its caption is read (the file is never downloaded). */
const captioned = z.object({ caption: z.string().optional() }).loose().optional();

const messageSchema = z
  .object({
    from: z.string().min(1).max(64),
    id: z.string().min(1).max(512),
    timestamp: z.string().regex(/^\d+$/),
    type: z.string(),
    text: z.object({ body: z.string() }).optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string().max(256), title: z.string() }).optional(),
        list_reply: z
          .object({ id: z.string().max(200), title: z.string() })
          .loose()
          .optional(),
      })
      .optional(),
    button: z.object({ payload: z.string().max(1000), text: z.string() }).optional(),
    image: captioned,
    video: captioned,
    document: captioned,
  })
  .loose();

/** Message types Haven cannot read: they get the "I can only read text" answer. */
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'unsupported']);

/** What a webhook body held: the messages to accept and how many items were passed over. */
export type ParsedWabaEvent =
  | { ok: true; messages: InboundMessage[]; ignored: number; malformed: number; otherNumber: number }
  | Extract<WebhookVerdict, { ok: false }>;

/**
 * Turns a verified Cloud API webhook body into Haven's inbound messages from
 * `entry[].changes[].value.messages[]`: text, reply-button and list taps (`choice`, the id as
 * payload), media and locations (`media`). Statuses, reactions, system messages and messages to
 * another phone number on the same account are passed over.
 */
export function parseWabaEvent(body: unknown, phoneNumberId: string): ParsedWabaEvent {
  const event = wabaEventSchema.safeParse(body);
  if (!event.success) return { ok: false, error: 'not a WhatsApp Business Account event' };
  const messages: InboundMessage[] = [];
  let ignored = 0;
  let malformed = 0;
  let otherNumber = 0;
  for (const entry of event.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        ignored++;
        continue;
      }
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        malformed++;
        continue;
      }
      if (value.data.metadata.phone_number_id !== phoneNumberId) {
        otherNumber += value.data.messages?.length ?? 0;
        continue;
      }
      for (const raw of value.data.messages ?? []) {
        const m = messageSchema.safeParse(raw);
        if (!m.success) {
          malformed++;
          continue;
        }
        const inbound = toInbound(m.data);
        if (inbound) messages.push(inbound);
        else ignored++;
      }
    }
  }
  return { ok: true, messages, ignored, malformed, otherNumber };
}

function toInbound(m: z.infer<typeof messageSchema>): InboundMessage | null {
  const base = {
    channel: 'whatsapp-cloud' as const,
    messageId: m.id,
    senderId: m.from,
    sentAt: Number(m.timestamp) * 1000,
    address: { waId: m.from },
  };
  if (m.type === 'text' && m.text && m.text.body.trim() !== '') return { ...base, kind: 'text', text: m.text.body };
  if (m.type === 'interactive' && m.interactive) {
    const tap = m.interactive.button_reply ?? m.interactive.list_reply;
    return tap ? { ...base, kind: 'choice', text: tap.title, payload: tap.id } : null;
  }
  if (m.type === 'button' && m.button)
    return { ...base, kind: 'choice', text: m.button.text, payload: m.button.payload };
  if (MEDIA_TYPES.has(m.type)) {
    // A caption is screened like any message.
    const caption = (m.image ?? m.video ?? m.document)?.caption?.trim() ?? '';
    return { ...base, kind: 'media', text: caption };
  }
  return null; // reaction, system, order, request_welcome ...
}
