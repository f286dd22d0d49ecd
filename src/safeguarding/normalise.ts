import { MAX_SCREEN_CHARS } from './types';

/** The token that marks a sentence boundary (`.`, `?`, `!`, a new line). Gaps in patterns never cross it. */
export const BOUNDARY = '.';
/** The token every currency sign becomes, so patterns can say `£ #num`. */
export const MONEY = '£';

/**
 * Zero-width, joiner, bidi, variation-selector, tag and skin-tone characters: removed outright. Single code units
 * (inclusive ranges) here; skin tones (U+1F3FB–U+1F3FF) and tags (U+E0000–U+E01EF) are surrogate pairs, matched in
 * {@link removeInvisible}. A lookup table and one pass instead of a regular expression: emoji-heavy text is slow there.
 */
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];
const INVISIBLE_UNIT = new Uint8Array(0x10000);
for (const [from, to] of INVISIBLE_RANGES) INVISIBLE_UNIT.fill(1, from, to + 1);

/**
 * The text without its invisible characters (see {@link INVISIBLE_RANGES}); the same string when it has none.
 * Pieces are joined once at the end: the result is a flat string (repeated `+=` would leave a rope, which makes
 * the tokeniser's character reads slow).
 */
function removeInvisible(s: string): string {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let width = 0;
    if (INVISIBLE_UNIT[c] === 1) width = 1;
    else if (c === 0xd83c || c === 0xdb40) {
      const low = s.charCodeAt(i + 1);
      if (c === 0xd83c ? low >= 0xdffb && low <= 0xdfff : low >= 0xdc00 && low <= 0xddef) width = 2;
    }
    if (width > 0) {
      out.push(s.slice(from, i));
      from = i + width;
      i += width - 1;
    }
  }
  if (from === 0) return s;
  out.push(s.slice(from));
  return out.join('');
}

/**
 * Precomposed accented Latin or Greek letters, or a loose combining accent (U+0300–U+036F): only then is NFD worth
 * its cost. One character class, so one regular-expression scan answers it.
 */
// Each class member is matched on its own (only tested for, never combined), so the rule does not apply.
// eslint-disable-next-line no-misleading-character-class
const ACCENTED = /[\u00c0-\u024f\u0300-\u036f\u0386-\u03ce\u1e00-\u1fff]/;
const isAccentMark = (c: number): boolean => c >= 0x300 && c <= 0x36f;

/** True when the text holds an accent: a precomposed accented letter or a loose combining mark. */
function hasAccent(s: string): boolean {
  return ACCENTED.test(s);
}

/** Strips combining accents on Latin and Greek letters (other scripts' marks stay: the lexicon is Latin). */
function stripAccents(s: string): string {
  const d = s.normalize('NFD');
  let out = '';
  let from = 0;
  for (let i = 0; i < d.length; i++) {
    if (isAccentMark(d.charCodeAt(i))) {
      out += d.slice(from, i);
      from = i + 1;
    }
  }
  return (out + d.slice(from)).normalize('NFC');
}
const NON_ASCII = /[\u0080-\uffff]/;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const LETTER = /\p{L}/u;
const NUMBER = /\p{Nd}/u;

/** Cyrillic and Greek look-alikes of Latin letters (lower case, after NFKC). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ı: 'i',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
};

/** {@link CONFUSABLES} by code unit ('' for none): every look-alike is one BMP code unit. */
const CONFUSABLE_BY_CODE: string[] = [];
for (const [from, to] of Object.entries(CONFUSABLES)) CONFUSABLE_BY_CODE[from.charCodeAt(0)] = to;
for (let c = 0; c < CONFUSABLE_BY_CODE.length; c++) CONFUSABLE_BY_CODE[c] ??= '';

/** Folds look-alike letters to Latin in one pass; the same string when it has none (flat, as above). */
function foldConfusables(s: string): string {
  const out: string[] = [];
  let from = 0;
  const limit = CONFUSABLE_BY_CODE.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= limit) continue;
    const to = CONFUSABLE_BY_CODE[c] as string;
    if (to === '') continue;
    out.push(s.slice(from, i), to);
    from = i + 1;
  }
  if (from === 0) return s;
  out.push(s.slice(from));
  return out.join('');
}

/** Symbols that stand for letters inside a word (`k!ll`, `$uicide`, `@buse`); `*` is a mask, resolved later. */
const SYMBOL_LETTERS: Readonly<Record<string, string>> = { '@': 'a', $: 's', '!': 'i', '|': 'l', '*': '*' };
/** Digits that stand for letters when they sit between letters (`su1cide`, `n00dz`). */
export const DIGIT_LETTERS: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
};

const isAsciiLetter = (c: number): boolean => c >= 97 && c <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Unicode and case clean-up: NFKC, lower case, invisible characters removed, accents stripped,
 * look-alike letters folded. Cheap fast path for plain ASCII. Input is capped at {@link MAX_SCREEN_CHARS}.
 */
export function foldText(text: string): string {
  const s = text.length > MAX_SCREEN_CHARS ? text.slice(0, MAX_SCREEN_CHARS) : text;
  // The non-ASCII work is a function of its own: kept out of here, the plain-ASCII path stays small (and inlined).
  return NON_ASCII.test(s) ? foldUnicode(s) : s.toLowerCase();
}

/** {@link foldText} for text with a non-ASCII character. */
function foldUnicode(text: string): string {
  const visible = removeInvisible(text.normalize('NFKC'));
  let s = hasAccent(visible) ? stripAccents(visible) : visible;
  if (s.length > 2 * MAX_SCREEN_CHARS) s = s.slice(0, 2 * MAX_SCREEN_CHARS);
  // Always toLowerCase, even when it changes nothing: it also hands the tokeniser a plain sequential string (a
  // sliced or joined one makes its character reads polymorphic and slow for every message after).
  return foldConfusables(s.toLowerCase());
}

/** Turns one raw word (letters, digits, letter-symbols) into its token(s); pushes onto `out`. */
function pushWord(raw: string, out: string[]): boolean {
  let start = 0;
  let end = raw.length;
  let bang = false;
  // Leading symbols survive only as `$`/`@` before a letter ($uicide); trailing ones never do.
  while (start < end && SYMBOL_LETTERS[raw[start] as string] !== undefined) {
    const c = raw[start] as string;
    const next = raw.charCodeAt(start + 1);
    if ((c === '$' || c === '@') && (isAsciiLetter(next) || next > 127)) break;
    start++;
  }
  while (end > start && SYMBOL_LETTERS[raw[end - 1] as string] !== undefined) {
    if (raw[end - 1] === '!') bang = true;
    end--;
  }
  if (start >= end) return bang;
  let word = '';
  let hasLetter = false;
  for (let i = start; i < end; i++) {
    const ch = raw[i] as string;
    const code = raw.charCodeAt(i);
    if (isDigit(code)) {
      // A digit run between letters is leet (su1cide); at an edge it is left for the vocabulary to judge.
      let j = i;
      while (j < end && isDigit(raw.charCodeAt(j))) j++;
      const run = raw.slice(i, j);
      const inside = i > start && j < end;
      let folded = '';
      if (inside) for (const d of run) folded += DIGIT_LETTERS[d] ?? '';
      word += inside && folded.length === run.length ? folded : run;
      if (inside && folded.length === run.length) hasLetter = true;
      i = j - 1;
    } else {
      const sym = SYMBOL_LETTERS[ch];
      if (sym !== undefined) word += sym;
      else word += ch;
      hasLetter = true;
    }
  }
  if (!hasLetter) {
    // Digits and symbols only ("5*3"): keep the numbers.
    for (const part of word.split(/[^0-9]+/)) if (part) out.push(part);
  } else out.push(word);
  return bang;
}

// Character classes for the ASCII fast path.
const LETTER_C = 1;
const DIGIT_C = 2;
const SYMBOL_C = 3;
const APOSTROPHE_C = 4;
const DOT_C = 5;
const STOP_C = 6;
const HASH_C = 7;
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER_C;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT_C;
for (const ch of '@$!|*') CLASS[ch.charCodeAt(0)] = SYMBOL_C;
for (const ch of "'`") CLASS[ch.charCodeAt(0)] = APOSTROPHE_C;
CLASS['.'.charCodeAt(0)] = DOT_C;
for (const ch of '?\n;') CLASS[ch.charCodeAt(0)] = STOP_C;
CLASS['#'.charCodeAt(0)] = HASH_C;

const isAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

function pushBoundary(out: string[]): void {
  if (out.length > 0 && out[out.length - 1] !== BOUNDARY) out.push(BOUNDARY);
}

/** A single letter, a slash and a single letter, standing alone ("s/h"). Linear: no nested quantifiers. */
const SLASHED = /(^|[^a-z0-9])([a-z])\/([a-z])(?![a-z0-9])/g;

const wordCache = new Map<string, { tokens: string[]; bang: boolean }>();
const MAX_WORD_CACHE = 10_000;

/** {@link pushWord}, memoised (bounded): hostile text repeats the same tricky words. */
function pushWordCached(raw: string, out: string[]): boolean {
  let hit = wordCache.get(raw);
  if (!hit) {
    const tokens: string[] = [];
    const bang = pushWord(raw.replace(/['`’‘ʼ´]/g, ''), tokens);
    hit = { tokens, bang };
    if (wordCache.size >= MAX_WORD_CACHE) wordCache.clear();
    wordCache.set(raw, hit);
  }
  for (const t of hit.tokens) out.push(t);
  return hit.bang;
}

/** Adds one raw word: straight in when it is only a–z, else through {@link pushWord}. */
function pushRaw(raw: string, plain: boolean, hashtag: boolean, out: string[]): void {
  const before = out.length;
  if (plain) out.push(raw);
  else if (pushWordCached(raw, out)) {
    if (hashtag && out.length === before + 1) out[before] = '#' + (out[before] as string);
    pushBoundary(out);
    return;
  }
  if (hashtag && out.length === before + 1) out[before] = '#' + (out[before] as string);
}

const WORD_K = 1;
const EMOJI_K = 2;
const MONEY_K = 3;
const STOP_K = 4;
const OTHER_K = 5;
/**
 * Memoised kinds of code points in the BMP and the first supplementary planes (emoji are in plane 1), 0: not yet
 * classified; others go to {@link kindCache}.
 */
const knownKinds = new Uint8Array(0x30000);
const kindCache = new Map<number, number>();
const MAX_KIND_CACHE = 4096;
/** First code point of the emoji blocks (U+1F000–U+1FFFF) whose strings {@link emojiAt} keeps. */
const EMOJI_FROM = 0x1f000;
/**
 * The string of each emoji code point in U+1F000–U+1FFFF seen so far: an emoji flood then makes no new strings, and
 * the same string object each time keeps its hash for the vocabulary's look-ups.
 */
const emojiStrings: (string | undefined)[] = new Array<string | undefined>(0x1000);

/** The emoji at `i` (a code point of `width` code units) as a string, shared for the common emoji blocks. */
function emojiAt(s: string, i: number, cp: number, width: number): string {
  if (cp < EMOJI_FROM || cp >= EMOJI_FROM + 0x1000) return s.slice(i, i + width);
  let e = emojiStrings[cp - EMOJI_FROM];
  if (e === undefined) emojiStrings[cp - EMOJI_FROM] = e = s.slice(i, i + width);
  return e;
}

/** What a non-ASCII code point is to the tokeniser (memoised: the Unicode property tests are slow). */
function classify(cp: number): number {
  if (cp < knownKinds.length) {
    const known = knownKinds[cp] as number;
    if (known !== 0) return known;
    const kind = classifyUncached(cp);
    knownKinds[cp] = kind;
    return kind;
  }
  const hit = kindCache.get(cp);
  if (hit !== undefined) return hit;
  const kind = classifyUncached(cp);
  if (kindCache.size >= MAX_KIND_CACHE) kindCache.clear();
  kindCache.set(cp, kind);
  return kind;
}

function classifyUncached(cp: number): number {
  const full = String.fromCodePoint(cp);
  let kind = OTHER_K;
  if (
    cp < 0x1f000 &&
    (full === '’' || full === '‘' || full === 'ʼ' || full === '´' || LETTER.test(full) || NUMBER.test(full))
  ) {
    kind = WORD_K;
  } else if (PICTOGRAPHIC.test(full)) kind = EMOJI_K;
  else if (full === '£' || full === '€') kind = MONEY_K;
  else if (full === '…' || full === '。' || full === '！' || full === '？') kind = STOP_K;
  return kind;
}

/**
 * Splits folded text into tokens: words (letters, digits and in-word symbols, apostrophes dropped),
 * numbers, the money token, emoji (one token each) and {@link BOUNDARY} between sentences.
 * Context-free: the vocabulary-guided repairs (masks, spacing, typos) happen in `Vocabulary.repair`.
 * One pass; a word made only of a–z is sliced straight from the text.
 */
export function tokenise(text: string): string[] {
  const folded = foldText(text);
  // Slashed shorthand ("s/h", "k/s") is one word: "s/h" → "sh". Only single letters either side of the slash.
  const s = folded.includes('/') ? folded.replace(SLASHED, '$1$2$3') : folded;
  const out: string[] = [];
  let start = -1;
  let plain = true;
  let hashtag = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const code = s.charCodeAt(i);
    if (code < 128) {
      const k = CLASS[code] as number;
      if (k === LETTER_C) {
        if (start < 0) start = i;
        continue;
      }
      if (k === DIGIT_C || k === APOSTROPHE_C) {
        if (start < 0) start = i;
        plain = false;
        continue;
      }
      if (k === SYMBOL_C) {
        if (code === 36 && start < 0 && isDigitCode(s.charCodeAt(i + 1))) {
          out.push(MONEY); // "$50"
          continue;
        }
        if (start < 0) start = i;
        plain = false;
        continue;
      }
      if (start >= 0) {
        pushRaw(s.slice(start, i), plain, hashtag, out);
        start = -1;
        plain = true;
        hashtag = false;
      }
      if (k === DOT_C) {
        // "k.i.l.l" and "2.5" are one run of characters, not sentences.
        if (!(isAlnum(s.charCodeAt(i - 1)) && isAlnum(s.charCodeAt(i + 1)))) pushBoundary(out);
      } else if (k === STOP_C) pushBoundary(out);
      else if (k === HASH_C) hashtag = true;
      else hashtag = false;
      continue;
    }
    // Non-ASCII: read the whole code point.
    const cp = s.codePointAt(i) ?? code;
    const width = cp > 0xffff ? 2 : 1;
    const kind = classify(cp);
    if (kind === WORD_K) {
      if (start < 0) start = i;
      plain = false;
    } else {
      if (start >= 0) {
        pushRaw(s.slice(start, i), plain, hashtag, out);
        start = -1;
        plain = true;
      }
      hashtag = false;
      if (kind === EMOJI_K)
        out.push(emojiAt(s, i, cp, width)); // the code point's own code units
      else if (kind === MONEY_K) out.push(MONEY);
      else if (kind === STOP_K) pushBoundary(out);
    }
    i += width - 1;
  }
  if (start >= 0) pushRaw(s.slice(start), plain, hashtag, out);
  if (out[out.length - 1] === BOUNDARY) out.pop();
  return out;
}
