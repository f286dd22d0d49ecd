/**
 * How the learned layer reads a long message: in pieces, taking the worst. A model trained mostly on short lines
 * is drowned by the everyday chat around a disclosure when it scores a long message whole, so a message of more
 * than {@link WHOLE_WORDS} words is scored sentence by sentence, and a sentence of more than that many words in
 * overlapping windows of {@link WINDOW_WORDS} words (half a window apart); the message takes its most concerning
 * piece. Short messages (most of them) are one piece, scored whole as before. Sentences a context cue cleared
 * (past, resolved, someone else's story, negation) are skipped, so the rest is scored sentence by sentence. The screen and the trainer's
 * cross-validation both use this, so the threshold is chosen for the way the screen scores.
 */

/** Messages (and sentences) of at most this many words are scored whole. */
export const WHOLE_WORDS = 24;
/** Words in a window of a long sentence. */
export const WINDOW_WORDS = 16;
/** Fewest words a piece needs to be scored (as a whole message needs MIN_MODEL_WORDS). */
export const MIN_PIECE_WORDS = 4;

/** What the splitter reads of a token. */
export interface PieceToken {
  readonly boundary: boolean;
  readonly word: boolean;
}

/**
 * The pieces of a token stream as flat [start, end) pairs (token indices). One piece, the whole stream, when it
 * has at most {@link WHOLE_WORDS} words and no sentence to skip; else its sentences (or their windows) but those
 * in `skip` (sentence indices, 0-based).
 */
export function modelPieces(tokens: readonly PieceToken[], skip: ReadonlySet<number> | null = null): number[] {
  let words = 0;
  for (const t of tokens) if (t.word) words++;
  const skipping = skip !== null && skip.size > 0;
  if (words <= WHOLE_WORDS && !skipping) return [0, tokens.length];
  const out: number[] = [];
  let start = 0;
  let sentence = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && !(tokens[i] as PieceToken).boundary) continue;
    if (!skipping || !skip.has(sentence)) sentencePieces(tokens, start, i, out);
    start = i + 1;
    sentence++;
  }
  return out;
}

/** Pieces of one sentence [from, to): the whole of it, or overlapping windows. */
function sentencePieces(tokens: readonly PieceToken[], from: number, to: number, out: number[]): void {
  const at: number[] = [];
  for (let i = from; i < to; i++) if ((tokens[i] as PieceToken).word) at.push(i);
  if (at.length < MIN_PIECE_WORDS) return;
  if (at.length <= WHOLE_WORDS) {
    out.push(from, to);
    return;
  }
  const step = WINDOW_WORDS / 2;
  for (let w = 0; ; w += step) {
    const last = Math.min(w + WINDOW_WORDS, at.length);
    out.push(at[w] as number, (at[last - 1] as number) + 1);
    if (last === at.length) break;
  }
}

/**
 * The tokens of a message without the sentences in `skip` (sentence indices, 0-based), boundaries kept between the
 * sentences that stay: the message as the learned layer reads it whole (see the screen's piece gate). The stream
 * itself when nothing is skipped.
 */
export function keptTokens<T extends PieceToken>(tokens: readonly T[], skip: ReadonlySet<number> | null): readonly T[] {
  if (skip === null || skip.size === 0) return tokens;
  const out: T[] = [];
  let sentence = 0;
  for (const t of tokens) {
    if (t.boundary) {
      if (!skip.has(sentence) && out.length > 0) out.push(t);
      sentence++;
    } else if (!skip.has(sentence)) out.push(t);
  }
  return out;
}
