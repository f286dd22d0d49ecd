import type { Lexicon } from './lexicon';
import { BOUNDARY } from './normalise';
import { parsePattern, type Step } from './pattern';

/** One pattern hit: which entry, and in which sentence (0-based). */
export interface Hit {
  entry: number;
  sentence: number;
}

interface CompiledStep extends Step {
  /** Index of the entry this pattern belongs to. */
  entry: number;
  /** True for the last step of its pattern. */
  last: boolean;
}

const NUMERIC = /^[0-9]{1,9}$/;

/**
 * Every lexicon pattern compiled into one token automaton: the first step of all patterns sits in one
 * dispatch table (word → steps, stem → steps, numbers), later steps are followed as active states with a
 * bounded skip count. Linear in the number of tokens; no regular expression built from lexicon text.
 */
export class Matcher {
  private readonly steps: CompiledStep[] = [];
  private readonly startWords = new Map<string, number[]>();
  private readonly startPrefixes = new Map<string, number[]>();
  private readonly startPrefixLengths: number[] = [];
  private readonly startNumbers: number[] = [];
  /** Every literal the patterns accept (for the vocabulary). */
  readonly words = new Set<string>();
  /** How many alert-pattern steps accept each word: a masked word (`c*t`) resolves to the heaviest. */
  readonly weights = new Map<string, number>();
  private readonly stamp: Int32Array;
  private readonly bestSkip: Int32Array;
  private generation = 0;

  constructor(lexicon: Lexicon) {
    const groups = new Map<string, ReadonlySet<string>>();
    for (const [name, words] of Object.entries(lexicon.groups)) groups.set(name, new Set(words));
    lexicon.entries.forEach((entry, index) => {
      for (const parsed of entry.patterns.flatMap((p) => parsePattern(p, groups))) {
        const first = this.steps.length;
        parsed.forEach((step, k) => {
          this.steps.push({ ...step, entry: index, last: k === parsed.length - 1 });
          for (const w of step.words) {
            this.words.add(w);
            if (entry.kind === 'alert') this.weights.set(w, (this.weights.get(w) ?? 0) + 1);
          }
        });
        const head = this.steps[first] as CompiledStep;
        for (const w of head.words) push(this.startWords, w, first);
        for (const p of head.prefixes) {
          push(this.startPrefixes, p, first);
          if (!this.startPrefixLengths.includes(p.length)) this.startPrefixLengths.push(p.length);
        }
        if (head.minNumber !== null) this.startNumbers.push(first);
      }
    });
    this.stamp = new Int32Array(this.steps.length);
    this.bestSkip = new Int32Array(this.steps.length);
  }

  /** All pattern hits in a repaired token stream, one per entry and sentence, in order found. */
  run(tokens: readonly string[]): Hit[] {
    const hits: Hit[] = [];
    const seen = new Set<number>();
    let active: number[] = [];
    let skips: number[] = [];
    let sentence = 0;
    const record = (entry: number): void => {
      const key = entry * 4096 + Math.min(sentence, 4095);
      if (!seen.has(key)) {
        seen.add(key);
        hits.push({ entry, sentence });
      }
    };
    for (const token of tokens) {
      if (token === BOUNDARY) {
        active = [];
        skips = [];
        sentence++;
        continue;
      }
      const gen = ++this.generation;
      const nextActive: number[] = [];
      const nextSkips: number[] = [];
      const add = (step: number, skip: number): void => {
        if (this.stamp[step] === gen) {
          const at = nextActive.indexOf(step);
          if (skip < (this.bestSkip[step] as number) && at >= 0) {
            this.bestSkip[step] = skip;
            nextSkips[at] = skip;
          }
          return;
        }
        this.stamp[step] = gen;
        this.bestSkip[step] = skip;
        nextActive.push(step);
        nextSkips.push(skip);
      };
      const advance = (s: number): void => {
        const step = this.steps[s] as CompiledStep;
        if (step.last) record(step.entry);
        else add(s + 1, 0);
      };
      const numeric = NUMERIC.test(token) ? Number(token) : -1;
      for (let a = 0; a < active.length; a++) {
        const s = active[a] as number;
        const skipped = skips[a] as number;
        const step = this.steps[s] as CompiledStep;
        if (accepts(step, token, numeric)) advance(s);
        if (skipped < step.gap) add(s, skipped + 1);
      }
      const starts = this.startWords.get(token);
      if (starts) for (const s of starts) advance(s);
      for (const len of this.startPrefixLengths) {
        if (token.length < len) continue;
        const list = this.startPrefixes.get(token.slice(0, len));
        if (list) for (const s of list) advance(s);
      }
      if (numeric >= 0) {
        for (const s of this.startNumbers) if (numeric >= ((this.steps[s] as CompiledStep).minNumber ?? 0)) advance(s);
      }
      active = nextActive;
      skips = nextSkips;
    }
    return hits;
  }
}

function accepts(step: Step, token: string, numeric: number): boolean {
  if (step.words.has(token)) return true;
  for (const p of step.prefixes) if (token.startsWith(p)) return true;
  return step.minNumber !== null && numeric >= step.minNumber;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
