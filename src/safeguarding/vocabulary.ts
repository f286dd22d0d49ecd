import { BOUNDARY, DIGIT_LETTERS, MONEY } from './normalise';
import type { Token } from './token';
import type { TokenTable } from './token-table';

/** Shortest lexicon word that tolerates a typo (edit distance 1); shorter words would collide. */
export const FUZZY_MIN_LENGTH = 6;
const MAX_MEMO = 20_000;
const MAX_SEGMENT_INPUT = 40;
const MAX_SEGMENT_PIECE = 20;
const MAX_MASKED_PER_MESSAGE = 32;
/** Longer tokens are not typo-corrected (cost grows with the square of the length). */
const MAX_FUZZY_LENGTH = 24;
/** Longer runs of single letters are left as they are. */
const MAX_JOIN_LETTERS = 40;
const DIGITS_ONLY = /^[0-9]+$/;
const EDGE_DIGITS = /^([0-9]*)([^0-9]*)([0-9]*)$/;
const TRIPLE = /(.)\1\1/;
/** Memo keys of joined-letter splits start so (a raw token never holds a space). */
const SEGMENT_KEY = ' ';

/** Collapses every run of one letter to a single letter ("stabbed" → "stabed"). */
export function squeeze(word: string): string {
  return word.replace(/(.)\1+/g, '$1');
}

/** True when a and b differ by at most one insertion, deletion, substitution or adjacent swap. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** What the vocabulary is built from: every word the lexicon can match, its aliases and protected words. */
export interface VocabularySource {
  words: Iterable<string>;
  /** One token → the tokens it stands for ("kms" is not an alias; "killmyself" → ["kill", "myself"] is). */
  aliases: ReadonlyMap<string, readonly string[]>;
  /** Real words never "corrected" into a lexicon word ("hinting" must not become "hitting"). */
  protect: Iterable<string>;
  /** Preference among equally good repairs (a masked `c*t` → the heaviest of cat, cot, cut). */
  weights?: ReadonlyMap<string, number>;
}

/**
 * The lexicon's vocabulary and the repairs guided by it: masks (`s*icide`), leet digits at word edges,
 * emphasis (`kiiiill`), dropped doubles (`kil`), one-letter typos on long words, and spaced-out or
 * run-together words (`k i l l`, `#iwanttodie`). Results per token are memoised (bounded).
 */
export class Vocabulary {
  private readonly words: Set<string>;
  private readonly aliases: ReadonlyMap<string, readonly string[]>;
  private readonly protect: Set<string>;
  private readonly weights: ReadonlyMap<string, number>;
  private readonly squeezed = new Map<string, string>();
  private readonly deletes = new Map<string, string[]>();
  private readonly byLength = new Map<number, string[]>();
  /** Repairs of single tokens (and, under {@link SEGMENT_KEY}, splits of joined letters) that hold in any message. */
  private readonly memo = new Map<string, readonly Token[]>();
  /** This message's masked tokens and their repairs, and how many were resolved (see {@link correctMasked}). */
  private readonly maskedHere = new Map<string, readonly Token[]>();
  private maskedCount = 0;
  /** The records of the single letters a–z (a spaced-out flood is thousands of them: no look-up each). */
  private readonly letters: (Token | undefined)[] = new Array<Token | undefined>(26);

  constructor(
    source: VocabularySource,
    private readonly table: TokenTable,
  ) {
    this.words = new Set(source.words);
    this.aliases = source.aliases;
    this.protect = new Set(source.protect);
    this.weights = source.weights ?? new Map();
    const sorted = [...this.words].sort();
    for (const w of sorted) {
      const list = this.byLength.get(w.length);
      if (list) list.push(w);
      else this.byLength.set(w.length, [w]);
      const s = squeeze(w);
      if (s !== w && s.length >= 3 && !this.words.has(s) && !this.squeezed.has(s)) this.squeezed.set(s, w);
      if (w.length >= FUZZY_MIN_LENGTH) {
        for (let i = 0; i < w.length; i++) {
          const d = w.slice(0, i) + w.slice(i + 1);
          const l = this.deletes.get(d);
          if (!l) this.deletes.set(d, [w]);
          else if (!l.includes(w)) l.push(w);
        }
      }
    }
  }

  /** True when the lexicon knows this word. */
  has(word: string): boolean {
    return this.words.has(word);
  }

  /** Repairs a token stream from `tokenise` into lexicon words where the evidence is good (as texts). */
  repair(tokens: readonly string[]): string[] {
    return this.repairTokens(tokens).map((t) => t.text);
  }

  /**
   * Repairs a token stream from `tokenise` into interned tokens (see {@link repair}). The result depends on the
   * tokens alone, never on what was repaired before: the memo holds only results that do not depend on the
   * message, and the budget of masked words is spent per message (see {@link correctMasked}).
   */
  repairTokens(tokens: readonly string[]): Token[] {
    this.maskedCount = 0;
    if (this.maskedHere.size > 0) this.maskedHere.clear();
    const out: Token[] = [];
    const n = tokens.length;
    let i = 0;
    while (i < n) {
      const t = tokens[i] as string;
      if (isSingleLetter(t)) {
        let j = i + 1;
        while (j < n && isSingleLetter(tokens[j] as string)) j++;
        if (j - i >= 3 && j - i <= MAX_JOIN_LETTERS) {
          const joined = tokens.slice(i, j).join('');
          const whole = this.correct(joined);
          const pieces =
            whole.length === 1 && (whole[0] as Token).text === joined && !this.words.has(joined)
              ? this.segmentTokens(joined)
              : whole;
          if (pieces) {
            for (const p of pieces) out.push(p);
            i = j;
            continue;
          }
        }
        for (let k = i; k < j; k++) out.push(this.letter(tokens[k] as string));
        i = j;
        continue;
      }
      const fixed = this.correct(t);
      for (let k = 0; k < fixed.length; k++) out.push(fixed[k] as Token);
      i++;
    }
    return out;
  }

  /**
   * The record of a single letter a–z (as {@link TokenTable.intern} gives it; kept here even if the table starts
   * again, which is the same: a record depends on its text alone).
   */
  private letter(t: string): Token {
    const c = t.charCodeAt(0) - 97;
    let token = this.letters[c];
    if (token === undefined) this.letters[c] = token = this.table.intern(t);
    return token;
  }

  /** The token(s) one raw token stands for. */
  correct(token: string): readonly Token[] {
    if (token.includes('*')) return this.correctMasked(token);
    const hit = this.memo.get(token);
    if (hit) return hit;
    return this.remember(token, this.table.internAll(this.compute(token)));
  }

  /**
   * {@link correct} for a token with a mask. The first {@link MAX_MASKED_PER_MESSAGE} different masked tokens of a
   * message are resolved (a `#tag` and its body count as two); later ones just lose their masks. Counted per
   * message whether or not a result is memoised, so the outcome never depends on earlier messages.
   */
  private correctMasked(token: string): readonly Token[] {
    const here = this.maskedHere.get(token);
    if (here) return here;
    if (this.maskedCount >= MAX_MASKED_PER_MESSAGE) {
      const bare = token.replace(/\*/g, '');
      return bare ? [this.table.intern(bare)] : [];
    }
    this.maskedCount++;
    // A hashtag's body is corrected against this message's budget, so only other masked tokens are memoised.
    let result = token.startsWith('#') ? undefined : this.memo.get(token);
    if (result === undefined) {
      result = this.table.internAll(this.compute(token));
      if (!token.startsWith('#')) this.remember(token, result);
    }
    this.maskedHere.set(token, result);
    return result;
  }

  private remember(token: string, result: readonly Token[]): readonly Token[] {
    if (this.memo.size >= MAX_MEMO) this.memo.clear();
    this.memo.set(token, result);
    return result;
  }

  /** {@link segment} as interned tokens (memoised like {@link correct}). */
  private segmentTokens(s: string): readonly Token[] | undefined {
    const key = SEGMENT_KEY + s;
    const hit = this.memo.get(key);
    if (hit) return hit.length > 0 ? hit : undefined;
    const pieces = this.segment(s);
    const tokens = pieces ? this.table.internAll(pieces) : [];
    this.remember(key, tokens);
    return pieces ? tokens : undefined;
  }

  private compute(token: string): readonly string[] {
    if (token === BOUNDARY || token === MONEY) return [token];
    const alias = this.aliases.get(token);
    if (alias) return alias;
    if (this.words.has(token) || DIGITS_ONLY.test(token)) return [token];
    if (token.startsWith('#')) {
      const body = token.slice(1);
      if (!body) return [];
      const fixed = this.correct(body);
      if (fixed.length === 1 && (fixed[0] as Token).text === body && !this.words.has(body)) {
        return this.segment(body) ?? [body];
      }
      return fixed.map((t) => t.text);
    }
    let t = token;
    if (t.includes('*')) {
      const unmasked = this.unmask(t);
      if (unmasked) return [unmasked];
      t = t.replace(/\*/g, '');
      if (!t) return [];
    }
    const edges = /[0-9]/.test(t) ? EDGE_DIGITS.exec(t) : null;
    if (edges) {
      const [, lead = '', middle = '', trail = ''] = edges;
      if (!middle) return [t];
      const folded = foldDigits(lead) + middle + foldDigits(trail);
      if (!/[0-9]/.test(folded)) {
        const fixed = this.word(folded);
        if (fixed.length !== 1 || this.words.has(fixed[0] as string)) return fixed;
      }
      const parts: string[] = [];
      if (lead) parts.push(lead);
      parts.push(...this.word(middle));
      if (trail) parts.push(trail);
      return parts;
    }
    return this.word(t);
  }

  /** Repairs one all-letter word. */
  private word(word: string): readonly string[] {
    const alias = this.aliases.get(word);
    if (alias) return alias;
    if (this.words.has(word) || this.protect.has(word)) return [word];
    let t = word;
    if (TRIPLE.test(t)) {
      const two = t.replace(/(.)\1{2,}/g, '$1$1');
      if (this.words.has(two)) return [two];
      const aliasTwo = this.aliases.get(two);
      if (aliasTwo) return aliasTwo;
      const one = squeeze(t);
      const known = this.squeezed.get(one) ?? (this.words.has(one) ? one : undefined);
      if (known) return [known];
      t = one;
    }
    if (t.length >= 3) {
      const known = this.squeezed.get(t);
      if (known) return [known];
    }
    if (t.length >= FUZZY_MIN_LENGTH - 1 && t.length <= MAX_FUZZY_LENGTH) {
      const near = this.nearest(t);
      if (near) return [near];
    }
    return [t];
  }

  /** A lexicon word of length ≥ {@link FUZZY_MIN_LENGTH} one edit away, same first letter (or swapped first two). */
  private nearest(t: string): string | undefined {
    const candidates: string[] = [];
    const direct = this.deletes.get(t);
    if (direct) candidates.push(...direct);
    for (let i = 0; i < t.length; i++) {
      const d = t.slice(0, i) + t.slice(i + 1);
      if (d.length >= FUZZY_MIN_LENGTH && this.words.has(d)) candidates.push(d);
      const l = this.deletes.get(d);
      if (l) candidates.push(...l);
    }
    let best: string | undefined;
    for (const w of candidates) {
      const sameStart = w[0] === t[0] || (w[0] === t[1] && w[1] === t[0]);
      if (sameStart && withinOneEdit(t, w) && (best === undefined || w < best)) best = w;
    }
    return best;
  }

  /** `s*icide` → `suicide`: a lexicon word of the same length agreeing on every unmasked letter. */
  private unmask(t: string): string | undefined {
    const list = this.byLength.get(t.length);
    if (!list) return undefined;
    let best: string | undefined;
    let bestWeight = -1;
    outer: for (const w of list) {
      for (let k = 0; k < t.length; k++) {
        const c = t[k];
        if (c !== '*' && c !== w[k]) continue outer;
      }
      const weight = this.weights.get(w) ?? 0;
      if (weight > bestWeight) {
        best = w;
        bestWeight = weight;
      }
    }
    return best;
  }

  /** Splits a run-together word into the fewest lexicon words ("killmyself" → kill, myself), or undefined. */
  segment(s: string): string[] | undefined {
    const n = s.length;
    if (n < 2 || n > MAX_SEGMENT_INPUT) return undefined;
    const best: number[] = new Array<number>(n + 1).fill(Infinity);
    const from: number[] = new Array<number>(n + 1).fill(-1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (let start = Math.max(0, end - MAX_SEGMENT_PIECE); start < end; start++) {
        const prev = best[start] as number;
        if (prev === Infinity) continue;
        const piece = s.slice(start, end);
        const ok = piece.length >= 2 ? this.words.has(piece) : piece === 'i' || piece === 'a' || piece === 'u';
        if (ok && prev + 1 < (best[end] as number)) {
          best[end] = prev + 1;
          from[end] = start;
        }
      }
    }
    if (best[n] === Infinity) return undefined;
    const pieces: string[] = [];
    for (let end = n; end > 0; end = from[end] as number) pieces.unshift(s.slice(from[end] as number, end));
    return pieces;
  }
}

function isSingleLetter(t: string): boolean {
  if (t.length !== 1) return false;
  const c = t.charCodeAt(0);
  return c >= 97 && c <= 122;
}

function foldDigits(run: string): string {
  let out = '';
  for (const d of run) out += DIGIT_LETTERS[d] ?? d;
  return out;
}
