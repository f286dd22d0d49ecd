import type { OutboundMessage, SendPurpose } from '../../engine/message';

const DAYS = /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|tomorrow)\b/i;

/** What the charity's name becomes in discreet mode. */
export const NEUTRAL_NAME = 'the charity';

/** Options for {@link discreetText}. */
export interface DiscreetOptions {
  /** Names that must not appear (the charity's name); each is replaced by {@link NEUTRAL_NAME}. */
  hide?: string[];
  /**
   * Why the message is sent. A message Haven or staff start (a session's confirmation or reminder)
   * names its day in the first line; an answer to the person's own message starts with a plain
   * "Hi" (its "today" may only say when staff will read it, as out of office hours).
   */
  purpose?: SendPurpose;
}

/** "Hi, it's about Thursday" when the message names a day, else "Hi". */
export function neutralFirstLine(text: string): string {
  const day = DAYS.exec(text)?.[1];
  if (!day) return 'Hi';
  const d = day.toLowerCase();
  return `Hi, it's about ${d.startsWith('to') ? d : d[0]?.toUpperCase() + d.slice(1)}`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Discreet mode, for someone whose phone others may see: the message starts with a neutral line
 * (so a notification preview shows "Hi" or "Hi, it's about Thursday", not a subject) and never
 * names the charity. Everything else is kept, helplines included: discreet changes how a message
 * starts, never the help in it. Pure and idempotent.
 */
export function discreetText(message: OutboundMessage, opts: DiscreetOptions = {}): OutboundMessage {
  const names = (opts.hide ?? []).map((n) => n.trim()).filter(Boolean);
  const pattern = names.length ? new RegExp(names.map(escape).join('|'), 'gi') : null;
  const hide = (s: string) => (pattern ? s.replace(pattern, NEUTRAL_NAME) : s);
  const hidden = hide(message.text);
  const first = opts.purpose === 'response' ? 'Hi' : neutralFirstLine(hidden);
  // "Hi\n\nHi, I'm Haven" would greet twice: the body's own greeting goes.
  const body = hidden.replace(/^(hi|hello|hey)\b[,!.]?\s+(?=\S)/i, '').replace(/^./, (c) => c.toUpperCase());
  const text = hidden.startsWith(`${first}\n\n`) ? hidden : `${first}\n\n${body}`;
  return {
    ...message,
    text,
    ...(message.choices ? { choices: message.choices.map((c) => ({ ...c, title: hide(c.title) })) } : {}),
  };
}
