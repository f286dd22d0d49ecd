import type { CooccurMatcher } from './cooccur';
import type { Matcher } from './matcher';
import { tokenFeatures } from './model';
import { BOUNDARY } from './normalise';
import { hasLetter, type Token } from './token';

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
      ...tokenFeatures(text),
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
