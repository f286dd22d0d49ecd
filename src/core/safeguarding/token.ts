import type { ConceptInfo, CooccurMatcher } from './cooccur';
import type { Dispatch, Matcher } from './matcher';
import { hashToken } from './model';
import { BOUNDARY } from './normalise';

/**
 * One distinct repaired token, interned once (see {@link TokenTable}) and shared by every layer of the screen:
 * what the phrase matcher, the co-occurrence layer and the learned layer need to know about it is worked out when
 * it is first seen, so screening a message does no string look-ups or hashing per token.
 */
export interface Token {
  readonly text: string;
  /** True for the sentence boundary token ({@link BOUNDARY}). */
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
  /** The learned layer's hash of the whole token and of its first characters (see `hashToken` in model.ts). */
  readonly hash: number;
  readonly prefixHash: number;
  /** Long enough to give its prefix as a feature. */
  readonly long: boolean;
}

/** True when a token holds a letter a–z (a character scan; same answer as `/[a-z]/.test(text)`). */
export function hasLetter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/** Most tokens kept; the table starts again when full (a token's record depends on its text alone). */
const MAX_TOKENS = 50_000;

/** Interns token texts into {@link Token} records for one compiled lexicon (bounded). */
export class TokenTable {
  private readonly tokens = new Map<string, Token>();
  /** The boundary token: one record, always the same. */
  readonly boundary: Token;

  constructor(
    private readonly matcher: Matcher,
    private readonly cooccur: CooccurMatcher,
  ) {
    this.boundary = this.intern(BOUNDARY);
  }

  /** The record of a token text (created on first sight). */
  intern(text: string): Token {
    const known = this.tokens.get(text);
    if (known !== undefined) return known;
    const [hash, prefixHash, long] = hashToken(text);
    const word = hasLetter(text);
    const boundary = text === BOUNDARY;
    const token: Token = {
      text,
      boundary,
      word,
      match: boundary ? null : this.matcher.lookup(text),
      number: boundary ? -1 : this.matcher.numberValue(text),
      concepts: boundary ? null : this.cooccur.lookup(text),
      phraseWord: boundary ? -1 : this.cooccur.phraseWord(text),
      hash,
      prefixHash,
      long,
    };
    if (this.tokens.size >= MAX_TOKENS) {
      this.tokens.clear();
      this.tokens.set(BOUNDARY, this.boundary);
    }
    this.tokens.set(text, token);
    return token;
  }

  /** The records of several token texts. */
  internAll(texts: readonly string[]): Token[] {
    const out = new Array<Token>(texts.length);
    for (let i = 0; i < texts.length; i++) out[i] = this.intern(texts[i] as string);
    return out;
  }
}
