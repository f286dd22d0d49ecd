import type { Choice } from '../../engine/message';

/** Messenger's limits for quick replies. */
export const QUICK_REPLY_MAX = 13;
export const QUICK_REPLY_TITLE_MAX = 20;

/** A title cut to `max` characters at a word if it can be, with an ellipsis. */
export function truncateTitle(title: string, max = QUICK_REPLY_TITLE_MAX): string {
  const t = title.trim();
  if (t.length <= max) return t;
  const room = max - 1;
  const space = t.lastIndexOf(' ', room);
  const cut = space >= room / 2 ? t.slice(0, space) : t.slice(0, room);
  return `${cut.trimEnd()}…`;
}

/** One Send API quick reply. */
export interface QuickReply {
  content_type: 'text';
  title: string;
  payload: string;
}

/** Choices as Messenger quick replies: at most 13, titles at most 20 characters. */
export function toQuickReplies(choices: readonly Choice[] | undefined): QuickReply[] | undefined {
  if (!choices?.length) return undefined;
  return choices.slice(0, QUICK_REPLY_MAX).map((c) => ({
    content_type: 'text',
    title: truncateTitle(c.title),
    payload: c.payload.slice(0, 1000),
  }));
}

/** How a message may go given Messenger's windows, or null when it may not be sent at all. */
export type MessagingMode =
  { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' | 'CONFIRMED_EVENT_UPDATE' };
