import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundMessage } from '../../engine/message';
import type { WebhookVerdict } from '../meta';

/** The postback payload of the Get Started button (set by `haven messenger setup`). */
export const GET_STARTED = 'GET_STARTED';

/** A Messenger page webhook body: `{object: "page", entry: [{id, time, messaging: [...]}]}`. */
export const pageEventSchema = z.object({
  object: z.literal('page'),
  entry: z.array(
    z
      .object({
        id: z.string(),
        time: z.number(),
        messaging: z.array(z.unknown()).optional(),
      })
      .loose(),
  ),
});

/** One `messaging` item that carries a message or a postback. */
const messagingSchema = z
  .object({
    sender: z.object({ id: z.string().min(1).max(64) }),
    recipient: z.object({ id: z.string().min(1).max(64) }),
    timestamp: z.number(),
    message: z
      .object({
        mid: z.string().min(1).max(512),
        text: z.string().optional(),
        is_echo: z.boolean().optional(),
        quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
        attachments: z.array(z.object({ type: z.string() }).loose()).optional(),
      })
      .loose()
      .optional(),
    postback: z
      .object({
        title: z.string().optional(),
        payload: z.string().max(1000).optional(),
        mid: z.string().max(512).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** What a page event held: the messages to accept and how many items were passed over. */
export type ParsedPageEvent =
  { ok: true; messages: InboundMessage[]; ignored: number; malformed: number } | Extract<WebhookVerdict, { ok: false }>;

/**
 * Turns a verified page webhook body into Haven's inbound messages: text, quick-reply taps
 * (`choice`), postbacks (Get Started → `start`, menu → `choice`) and attachments (`media`).
 * Echoes of the page's own messages, deliveries, reads and anything else are passed over.
 */
export function parsePageEvent(body: unknown): ParsedPageEvent {
  const page = pageEventSchema.safeParse(body);
  if (!page.success) return { ok: false, error: 'not a Messenger page event' };
  const messages: InboundMessage[] = [];
  let ignored = 0;
  let malformed = 0;
  for (const entry of page.data.entry) {
    for (const raw of entry.messaging ?? []) {
      const item = raw as Record<string, unknown> | null;
      if (!item || typeof item !== 'object' || (!('message' in item) && !('postback' in item))) {
        ignored++; // delivery, read, reaction, referral, optin ...
        continue;
      }
      const parsed = messagingSchema.safeParse(item);
      if (!parsed.success) {
        malformed++;
        continue;
      }
      const m = toInbound(parsed.data);
      if (m) messages.push(m);
      else ignored++;
    }
  }
  return { ok: true, messages, ignored, malformed };
}

function toInbound(e: z.infer<typeof messagingSchema>): InboundMessage | null {
  const psid = e.sender.id;
  const base = { channel: 'messenger' as const, senderId: psid, sentAt: e.timestamp, address: { psid } };
  if (e.message) {
    const m = e.message;
    if (m.is_echo) return null;
    if (m.quick_reply) {
      return { ...base, messageId: m.mid, kind: 'choice', text: m.text ?? '', payload: m.quick_reply.payload };
    }
    if (m.text !== undefined && m.text.trim() !== '') return { ...base, messageId: m.mid, kind: 'text', text: m.text };
    if (m.attachments?.length) return { ...base, messageId: m.mid, kind: 'media', text: '' };
    return null;
  }
  if (e.postback) {
    const payload = e.postback.payload ?? '';
    // Postbacks may lack a mid: a stable id from who, when and what, hashed so no PSID is in a key.
    const messageId =
      e.postback.mid ??
      `pb.${createHash('sha256').update(`${psid}:${e.timestamp}:${payload}`).digest('base64url').slice(0, 32)}`;
    if (payload === GET_STARTED) return { ...base, messageId, kind: 'start', text: e.postback.title ?? '' };
    if (!payload) return null;
    return { ...base, messageId, kind: 'choice', text: e.postback.title ?? '', payload };
  }
  return null;
}
