import { tokenise } from './normalise';
import { HavenError } from '../common/errors';

/** Longest gap a pattern may allow between two steps (`~N`). */
export const MAX_GAP = 8;
/** Most steps in one pattern variant. */
export const MAX_STEPS = 12;
/** Most linear variants one pattern may expand to (phrase alternatives multiply). */
export const MAX_VARIANTS = 64;
const MIN_STEM = 3;

/** One position in a pattern: the tokens it accepts, and how many tokens may be skipped before it. */
export interface Step {
  /** Up to this many tokens (within one sentence) may come before this step's token. */
  gap: number;
  words: Set<string>;
  /** Token starts with one of these stems (`unaliv*`). */
  prefixes: string[];
  /** Accepts a number token at least this big (`#num` → 0, `#num:10` → 10). */
  minNumber: number | null;
}

/** Raised for a pattern the lexicon loader must reject; the message says why. */
export class PatternError extends HavenError {
  constructor(message: string) {
    super(message, 'PATTERN_INVALID', { permanent: true });
  }
}

/** True when `word` is exactly one token as the normaliser would produce it. */
export function isLiteralToken(word: string): boolean {
  const t = tokenise(word);
  return t.length === 1 && t[0] === word && word !== '.';
}

type Groups = ReadonlyMap<string, ReadonlySet<string>>;

/** Parses one alternative list of single tokens (`a|@group|stem*|#num`) into a step with gap 0. */
function parseStep(alts: readonly string[], groups: Groups): Step {
  const step: Step = { gap: 0, words: new Set(), prefixes: [], minNumber: null };
  for (const alt of alts) {
    if (alt === '') throw new PatternError('empty alternative');
    if (alt.startsWith('@')) {
      const group = groups.get(alt.slice(1));
      if (!group) throw new PatternError(`unknown group "${alt}"`);
      for (const w of group) step.words.add(w);
    } else if (alt === '#num' || alt.startsWith('#num:')) {
      const min = alt === '#num' ? 0 : Number(alt.slice(5));
      if (!Number.isInteger(min) || min < 0) throw new PatternError(`bad number "${alt}"`);
      step.minNumber = min;
    } else if (alt.endsWith('*')) {
      const stem = alt.slice(0, -1);
      if (stem.length < MIN_STEM || !isLiteralToken(stem)) {
        throw new PatternError(`prefix "${alt}" needs a plain stem of at least ${MIN_STEM} characters`);
      }
      step.prefixes.push(stem);
    } else if (!isLiteralToken(alt)) {
      throw new PatternError(
        `"${alt}" is not a single normalised token (lower case, no spaces or punctuation; reads as "${tokenise(alt).join(' ')}")`,
      );
    } else step.words.add(alt);
  }
  return step;
}

/**
 * Parses the small pattern language used in lexicon.json into one or more linear step lists:
 * - steps are separated by spaces and must be consecutive tokens, unless `~N` (1..{@link MAX_GAP}) sits
 *   between them: then up to N tokens (within one sentence) may come between
 * - a step is alternatives joined by `|`: a literal token, `@group`, `stem*` (token starts so), `#num`
 *   (any number) or `#num:10` (a number ≥ 10), or a phrase `off+her+face` (consecutive tokens)
 * Literals are plain tokens compared for equality (never regular expressions), so nothing
 * user-editable reaches a RegExp.
 */
export function parsePattern(pattern: string, groups: Groups): Step[][] {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '') throw new PatternError('pattern is empty');
  let variants: Step[][] = [[]];
  let gap = 0;
  let lastWasGap = false;
  for (const part of parts) {
    if (part.startsWith('~')) {
      const m = /^~(\d+)$/.exec(part);
      const n = m ? Number(m[1]) : NaN;
      if (!(n >= 1 && n <= MAX_GAP)) throw new PatternError(`gap "${part}" must be ~1 to ~${MAX_GAP}`);
      if (variants[0]?.length === 0) throw new PatternError(`gap "${part}" cannot start a pattern`);
      if (lastWasGap) throw new PatternError(`two gaps in a row at "${part}"`);
      gap = n;
      lastWasGap = true;
      continue;
    }
    const singles: string[] = [];
    const phrases: Step[][] = [];
    for (const alt of part.split('|')) {
      if (alt.includes('+')) {
        const words = alt.split('+');
        if (words.some((w) => w === '')) throw new PatternError(`empty word in phrase "${alt}"`);
        phrases.push(words.map((w) => parseStep([w], groups)));
      } else singles.push(alt);
    }
    const options: Step[][] = singles.length > 0 ? [[parseStep(singles, groups)], ...phrases] : phrases;
    const next: Step[][] = [];
    for (const v of variants) {
      for (const option of options) {
        next.push([...v, ...option.map((s, i) => ({ ...s, gap: i === 0 ? gap : 0 }))]);
      }
    }
    if (next.length > MAX_VARIANTS) throw new PatternError(`expands to more than ${MAX_VARIANTS} variants`);
    variants = next;
    gap = 0;
    lastWasGap = false;
  }
  if (lastWasGap) throw new PatternError('a gap cannot end a pattern');
  for (const v of variants) if (v.length > MAX_STEPS) throw new PatternError(`more than ${MAX_STEPS} steps`);
  return variants;
}
