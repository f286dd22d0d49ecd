import { MAX_SCREEN_CHARS } from './types';

/** The token that marks a sentence boundary (`.`, `?`, `!`, a new line). Gaps in patterns never cross it. */
export const BOUNDARY = '.';
/** The token every currency sign becomes, so patterns can say `£ #num`. */
export const MONEY = '£';

/** Zero-width, joiner, bidi, variation-selector, tag and skin-tone characters: removed outright. */
function isInvisible(cp: number): boolean {
  return (
    cp === 0xad ||
    cp === 0x34f ||
    cp === 0x61c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
    (cp >= 0xe0000 && cp <= 0xe01ef)
  );
}
const COMBINING = /\p{Mn}/gu;
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
  let s = text.length > MAX_SCREEN_CHARS ? text.slice(0, MAX_SCREEN_CHARS) : text;
  if (NON_ASCII.test(s)) {
    let visible = '';
    for (const ch of s.normalize('NFKC')) if (!isInvisible(ch.codePointAt(0) ?? 0)) visible += ch;
    s = visible.normalize('NFD').replace(COMBINING, '').normalize('NFC');
    if (s.length > 2 * MAX_SCREEN_CHARS) s = s.slice(0, 2 * MAX_SCREEN_CHARS);
    s = s.toLowerCase();
    let out = '';
    for (const ch of s) out += CONFUSABLES[ch] ?? ch;
    return out;
  }
  return s.toLowerCase();
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

/**
 * Splits folded text into tokens: words (letters, digits and in-word symbols, apostrophes dropped),
 * numbers, the money token, emoji (one token each) and {@link BOUNDARY} between sentences.
 * Context-free: the vocabulary-guided repairs (masks, spacing, typos) happen in `Vocabulary.repair`.
 */
export function tokenise(text: string): string[] {
  const s = foldText(text);
  const out: string[] = [];
  let word = '';
  let hashtag = false;
  const flush = (): void => {
    if (word) {
      const before = out.length;
      const bang = pushWord(word, out);
      if (hashtag && out.length === before + 1) out[before] = '#' + (out[before] as string);
      if (bang) boundary();
      word = '';
    }
    hashtag = false;
  };
  const boundary = (): void => {
    if (out.length > 0 && out[out.length - 1] !== BOUNDARY) out.push(BOUNDARY);
  };
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (isAsciiLetter(code) || isDigit(code)) {
      word += s[i];
      continue;
    }
    const ch = s[i] as string;
    if (code < 128) {
      if (ch === '$' && word === '' && isDigit(s.charCodeAt(i + 1))) out.push(MONEY);
      else if (SYMBOL_LETTERS[ch] !== undefined) word += ch;
      else if (ch === "'" || ch === '`') continue;
      else if (ch === '.') {
        // "k.i.l.l" and "2.5" are one run of characters, not sentences.
        const next = s.charCodeAt(i + 1);
        const prev = s.charCodeAt(i - 1);
        const inner = (isAsciiLetter(prev) || isDigit(prev)) && (isAsciiLetter(next) || isDigit(next));
        flush();
        if (!inner) boundary();
      } else if (ch === '?' || ch === '\n' || ch === ';') {
        flush();
        boundary();
      } else if (ch === '#') {
        flush();
        hashtag = true;
      } else {
        flush();
      }
      continue;
    }
    // Non-ASCII: read the whole code point.
    const cp = s.codePointAt(i) ?? code;
    const full = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    if (full === '’' || full === '‘' || full === 'ʼ' || full === '´') continue;
    if (LETTER.test(full) || NUMBER.test(full)) {
      word += full;
    } else if (PICTOGRAPHIC.test(full)) {
      flush();
      out.push(full);
    } else {
      flush();
      if (full === '£' || full === '€') out.push(MONEY);
      else if (full === '…' || full === '。' || full === '！' || full === '？') boundary();
    }
  }
  flush();
  if (out[out.length - 1] === BOUNDARY) out.pop();
  return out;
}
