/** Messenger's limit for one text message. */
export const MESSENGER_TEXT_LIMIT = 2000;
/** WhatsApp Cloud API's limit for a text message body. */
export const WHATSAPP_TEXT_LIMIT = 4096;

const SENTENCE_END = /[.!?…][)"'’”]*\s+|\n+/g;

/**
 * Where to cut `text` so the first piece is at most `max` characters: after the last sentence end
 * or line break in the window (if it is past the window's first half), else at the last space,
 * else hard at `max` (never between the two halves of a surrogate pair).
 */
function cutPoint(text: string, max: number): number {
  let best = -1;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m && m.index < max; m = SENTENCE_END.exec(text)) {
    best = Math.min(m.index + m[0].length, max);
  }
  if (best >= max / 2) return best;
  const space = text.lastIndexOf(' ', max);
  if (space >= max / 2) return space + 1;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/**
 * Splits text into parts of at most `max` characters on sentence boundaries where it can (then
 * words, then characters). Parts are trimmed; nothing but whitespace at the cuts is lost. With
 * `lastMax`, the last part is cut again so that it fits `lastMax` (WhatsApp's 1,024-character
 * body for a message with buttons).
 */
export function splitText(text: string, max: number, lastMax?: number): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const at = cutPoint(rest, max);
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length || parts.length === 0) parts.push(rest);
  if (lastMax !== undefined && lastMax < max) {
    const last = parts.pop() as string;
    if (last.length <= lastMax) {
      parts.push(last);
    } else {
      // Keep the head as one part (it fits `max`) and only the tail within `lastMax`.
      const pieces = splitText(last, lastMax);
      const tail = pieces.pop() as string;
      const head = last.slice(0, last.lastIndexOf(tail)).trimEnd();
      if (head) parts.push(head);
      parts.push(tail);
    }
  }
  return parts.filter((p, i, all) => p.length > 0 || all.length === 1);
}
