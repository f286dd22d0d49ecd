// Only data shapes live here, so every layer of the screen can name them without importing another layer.

/** A compiled phrase: its words after the first as {@link CooccurMatcher.phraseWord} ids. */
export interface PhraseRest {
  rest: Int32Array;
  concept: number;
  rules: Int32Array;
}

/** What one token means to the co-occurrence layer (see {@link CooccurMatcher.lookup}). */
export interface ConceptInfo {
  concepts: Int32Array;
  /** The rules any of `concepts` takes part in (deduplicated). */
  rules: Int32Array;
  /**
   * Phrases starting with this token, grouped by their second word: `phrases[k]` (in lexicon order) are those
   * whose second word has the id `phraseNext[k]`. Both null when no phrase starts with this token.
   */
  phraseNext: Int32Array | null;
  phrases: readonly (readonly PhraseRest[])[] | null;
}

/**
 * The steps accepting one token: the first steps that end an entry, and continuations as (id, reach slot of its
 * parent, gap) triples, one per slot the parent's position is read from: sorted by that slot's bucket with
 * `offsets[b]..offsets[b+1]` being bucket b's triples (and `bits` the buckets that have any), or (for a short
 * list, `offsets` and `bits` null) checked one by one.
 */
export interface Dispatch {
  /** The first steps that end an entry (one-step patterns): queued on the token's first appearance in a sentence. */
  roots: Int32Array;
  /** This entry's reach slot: where its token last appeared, read as the position of every first step it accepts. */
  slot: number;
  steps: Int32Array;
  offsets: Int32Array | null;
  /** With `offsets`: bit b (of word b >> 5) set when bucket b holds any of the triples (a cache-friendly filter). */
  bits: Int32Array | null;
}

/**
 * One distinct repaired token, interned once (see `TokenTable` in token-table.ts) and shared by every layer of the screen:
 * what the phrase matcher, the co-occurrence layer and the learned layer need to know about it is worked out when
 * it is first seen, so screening a message does no string look-ups or hashing per token.
 */
export interface Token {
  readonly text: string;
  /** True for the sentence boundary token (`BOUNDARY` in normalise.ts). */
  readonly boundary: boolean;
  /** Holds a letter a–z (counts towards the learned layer's fewest words). */
  readonly word: boolean;
  /** The matcher's steps accepting it (its word, then each stem it starts with, in the matcher's order). */
  readonly match: readonly Dispatch[] | null;
  /** Its value when it is a number the matcher's `#num` steps accept, else −1. */
  readonly number: number;
  /** The co-occurrence layer's concepts it belongs to (its word, then each stem it starts with). */
  readonly concepts: readonly ConceptInfo[] | null;
  /** Its id as a word inside a co-occurrence phrase, or −1 (see `CooccurMatcher.phraseWord`). */
  readonly phraseWord: number;
  /** The learned layer's hash of the whole token and of its first characters (see `tokenFeatures` in model.ts). */
  readonly hash: number;
  readonly prefixHash: number;
  /** Long enough to give its prefix as a feature. */
  readonly long: boolean;
  /** The learned layer's hashed character n-grams of it (see `tokenGrams` in model.ts). */
  readonly grams: Int32Array;
  /**
   * The learned layer's cache: the summed weights of this token's own features in the model `vectorOf` (null when
   * it kept none), set by that model on first use (see `tokenVector` in model.ts).
   */
  vector: Float64Array | null;
  vectorOf: object | null;
}

/** True when a token holds a letter a–z (a character scan; same answer as `/[a-z]/.test(text)`). */
export function hasLetter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}
