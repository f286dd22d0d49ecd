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
  /** Shared, never changed once parsed: a step that is one `@group` is given the group's own set. */
  words: ReadonlySet<string>;
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

/** Answers of {@link isLiteralToken} (bounded): a lexicon names the same words many times, checked at every load. */
const literal = new Map<string, boolean>();
const MAX_LITERAL_MEMO = 50_000;

/** True when `word` is exactly one token as the normaliser would produce it. */
export function isLiteralToken(word: string): boolean {
  // A word of letters a–z alone is one token as it is (the tokeniser's plain-word path): most lexicon words are.
  if (plainWord(word)) return true;
  let known = literal.get(word);
  if (known === undefined) {
    const t = tokenise(word);
    known = t.length === 1 && t[0] === word && word !== '.';
    if (literal.size >= MAX_LITERAL_MEMO) literal.clear();
    literal.set(word, known);
  }
  return known;
}

/** True for a non-empty string of the letters a–z only. */
function plainWord(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

type Groups = ReadonlyMap<string, ReadonlySet<string>>;

/** Parses one alternative list of single tokens (`a|@group|stem*|#num`) into a step with gap 0. */
function parseStep(alts: readonly string[], groups: Groups): Step {
  // A step that is exactly one group (the commonest kind) shares the group's set instead of copying it: patterns
  // name the same groups hundreds of times, and the matcher keys its trie on the set (see `keyOf` in matcher.ts).
  if (alts.length === 1 && (alts[0] as string).startsWith('@')) {
    const group = groups.get((alts[0] as string).slice(1));
    if (!group) throw new PatternError(`unknown group "${alts[0] as string}"`);
    return { gap: 0, words: group, prefixes: [], minNumber: null };
  }
  const words = new Set<string>();
  const step: Step = { gap: 0, words, prefixes: [], minNumber: null };
  for (const alt of alts) {
    if (alt === '') throw new PatternError('empty alternative');
    if (alt.startsWith('@')) {
      const group = groups.get(alt.slice(1));
      if (!group) throw new PatternError(`unknown group "${alt}"`);
      for (const w of group) words.add(w);
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
    } else words.add(alt);
  }
  return step;
}

/** The groups of a lexicon (`lexicon.groups`) as sets, made once per lexicon object (see {@link parsePatternOnce}). */
const groupMaps = new WeakMap<Readonly<Record<string, readonly string[]>>, Groups>();

/** `lexicon.groups` as the map {@link parsePattern} reads: the same map for the same lexicon object. */
export function groupSets(groups: Readonly<Record<string, readonly string[]>>): Groups {
  let map = groupMaps.get(groups);
  if (map === undefined) {
    const made = new Map<string, ReadonlySet<string>>();
    for (const [name, words] of Object.entries(groups)) made.set(name, new Set(words));
    groupMaps.set(groups, (map = made));
  }
  return map;
}

/** Parsed patterns per groups map: loading a lexicon validates every pattern and the matcher then compiles them. */
const parsedByGroups = new WeakMap<Groups, Map<string, Step[][]>>();

/**
 * {@link parsePattern}, remembered for the same groups map (from {@link groupSets}): the lexicon loader and the matcher
 * parse the same patterns, and parsing is most of a cold start. The steps returned are shared: read, never change.
 */
export function parsePatternOnce(pattern: string, groups: Groups): readonly (readonly Step[])[] {
  let memo = parsedByGroups.get(groups);
  if (memo === undefined) parsedByGroups.set(groups, (memo = new Map()));
  let parsed = memo.get(pattern);
  if (parsed === undefined) memo.set(pattern, (parsed = parsePattern(pattern, groups)));
  return parsed;
}

/**
 * Parsed pattern parts (`a|@group|b+c`) per groups map: a lexicon's 1,300 patterns hold some 7,000 parts, fewer than
 * half of them different, and a part's long alternative lists were most of parsing. The steps are shared, never
 * changed (as {@link Step.words} already was).
 */
const partsByGroups = new WeakMap<Groups, Map<string, readonly (readonly Step[])[]>>();

/** The options one pattern part offers: one step for its single tokens, then each phrase as its steps (gap 0). */
function partOptions(part: string, groups: Groups): readonly (readonly Step[])[] {
  let memo = partsByGroups.get(groups);
  if (memo === undefined) partsByGroups.set(groups, (memo = new Map()));
  let options = memo.get(part);
  if (options !== undefined) return options;
  const singles: string[] = [];
  const phrases: Step[][] = [];
  for (const alt of part.split('|')) {
    if (alt.includes('+')) {
      const words = alt.split('+');
      if (words.some((w) => w === '')) throw new PatternError(`empty word in phrase "${alt}"`);
      phrases.push(words.map((w) => parseStep([w], groups)));
    } else singles.push(alt);
  }
  options = singles.length > 0 ? [[parseStep(singles, groups)], ...phrases] : phrases;
  memo.set(part, options);
  return options;
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
    const options = partOptions(part, groups);
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
