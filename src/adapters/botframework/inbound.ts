import { createHash } from 'node:crypto';
import { TurnContext, type Activity, type ChannelAccount, type ConversationReference } from 'botbuilder';
import type { AcceptResult } from '../kit/adapter';
import { MAX_TEXT_CHARS, type InboundMessage } from '../../engine/message';
import { ACCEPTED_CHANNELS } from './activity';
import { ChoiceMemory } from './choices';

/** Teams writes an @mention of the bot (or anyone) into the text as `<at>Name</at>`. */
const MENTION = /<at(?:\s[^>]{0,256})?>[^<]{0,256}<\/at>/gi;

/** The text without Teams `<at>…</at>` mentions, spacing tidied. */
export function stripMentions(text: string): string {
  return text
    .slice(0, MAX_TEXT_CHARS * 2)
    .replace(MENTION, ' ')
    .replace(/[ \t\u00a0]+/g, ' ')
    .trim();
}

/** A short id for Redis keys: hashes platform ids so they never appear in key names. */
function hashId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);
}

/**
 * The sender id Haven sees for a Bot Framework user: the channel id and the user's id on it
 * (`msteams:29:1abc…`), so two channels' ids never collide. Staff identities in settings use
 * the same form after `botframework:`.
 */
export function senderIdOf(channelId: string, userId: string): string {
  return `${channelId}:${userId}`;
}

function sentAtOf(activity: Partial<Activity>): number {
  const t = activity.timestamp as unknown;
  const ms = t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : Date.now();
}

/** A choice payload carried in `value` (postBack, messageBack, Action.Submit). */
function payloadOf(activity: Partial<Activity>): string | undefined {
  const v: unknown = activity.value;
  if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 256);
  if (v && typeof v === 'object') {
    const p = (v as Record<string, unknown>).payload;
    if (typeof p === 'string' && p.trim()) return p.trim().slice(0, 256);
  }
  // Web Chat sends a postBack with a string value as hidden text flagged in channelData.
  if (isHiddenPostBack(activity) && typeof activity.text === 'string' && activity.text.trim()) {
    return activity.text.trim().slice(0, 256);
  }
  return undefined;
}

/**
 * What one activity means to Haven: none, one or (a conversationUpdate adding several people)
 * more inbound messages. Only message and conversationUpdate activities from the accepted
 * channels count; everything else is ignored.
 */
export async function toInbound(activity: Partial<Activity>, choices?: ChoiceMemory): Promise<InboundMessage[]> {
  const channelId = activity.channelId ?? '';
  if (!(ACCEPTED_CHANNELS as readonly string[]).includes(channelId)) return [];
  const conversationId = activity.conversation?.id;
  const botId = activity.recipient?.id;
  if (!conversationId || !activity.serviceUrl) return [];
  const reference = TurnContext.getConversationReference(activity);

  if (activity.type === 'message') {
    const from = activity.from?.id;
    if (!from || !activity.id || from === botId) return [];
    const base = {
      channel: 'botframework' as const,
      messageId: hashId(channelId, conversationId, activity.id),
      senderId: senderIdOf(channelId, from),
      sentAt: sentAtOf(activity),
      address: reference as Record<string, unknown>,
    };
    const text = typeof activity.text === 'string' ? stripMentions(activity.text) : '';
    const payload = payloadOf(activity);
    if (payload) return [{ ...base, kind: 'choice', text: isHiddenPostBack(activity) ? '' : text, payload }];
    if (text) {
      const offered = await choices?.match(ChoiceMemory.key(channelId, conversationId, from), text);
      if (offered) return [{ ...base, kind: 'choice', text, payload: offered.payload }];
      return [{ ...base, kind: 'text', text }];
    }
    if (activity.attachments?.length) return [{ ...base, kind: 'media', text: '' }];
    return [];
  }

  if (activity.type === 'conversationUpdate') {
    const joined = (activity.membersAdded ?? []).filter((m: ChannelAccount) => m?.id && m.id !== botId);
    return joined.map((member) => ({
      channel: 'botframework' as const,
      // Derived from who joined where, so a redelivered conversationUpdate is folded.
      messageId: hashId(channelId, conversationId, member.id, 'joined'),
      senderId: senderIdOf(channelId, member.id),
      kind: 'start' as const,
      text: '',
      sentAt: sentAtOf(activity),
      address: { ...reference, user: { id: member.id, name: member.name } } as Partial<ConversationReference> as Record<
        string,
        unknown
      >,
    }));
  }
  return [];
}

/** True when the text is Web Chat's hidden postBack payload rather than something typed. */
function isHiddenPostBack(activity: Partial<Activity>): boolean {
  return (activity.channelData as Record<string, unknown> | undefined)?.postBack === true;
}

/** What the turn handler did with one activity, for the HTTP answer and the log. */
export interface TurnOutcome {
  handled: number;
  results: AcceptResult[];
}

/**
 * The bot's turn logic: normalise the activity and hand each message to the core. Nothing is
 * sent in the turn (replies come later from the outbound worker). Throws when the core could not
 * store a message, so the caller can answer 503.
 */
export function createTurnHandler(
  accept: (m: InboundMessage) => Promise<AcceptResult>,
  choices?: ChoiceMemory,
): (context: TurnContext) => Promise<TurnOutcome> {
  return async (context) => {
    const messages = await toInbound(context.activity, choices);
    const results: AcceptResult[] = [];
    for (const m of messages) results.push(await accept(m));
    return { handled: messages.length, results };
  };
}
