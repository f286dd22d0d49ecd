import type { Lexicon } from './lexicon';
import { BOUNDARY } from './normalise';
import { parsePattern, type Step } from './pattern';

/** One pattern hit: which entry, and in which sentence (0-based). */
export interface Hit {
  entry: number;
  sentence: number;
}

const NUMERIC = /^[0-9]{1,9}$/;

/**
 * Every lexicon pattern compiled into one token automaton. Each step of each pattern has an id; one
 * dispatch table maps a token to every step that accepts it (words, stems, numbers), in descending id
 * order. Matching keeps, per step, the latest token position where it was reached: step s is reached at
 * token i when it accepts the token and step s−1 was reached at most `gap(s)` tokens earlier in the same
 * sentence. So the work per token is the number of steps accepting that token, whatever the gaps.
 * No regular expression is built from lexicon text.
 */
export class Matcher {
  /** Every literal the patterns accept (for the vocabulary). */
  readonly words = new Set<string>();
  /** How many alert-pattern steps accept each word: a masked word (`c*t`) resolves to the heaviest. */
  readonly weights = new Map<string, number>();
  private readonly byWord = new Map<string, number[]>();
  private readonly byPrefix = new Map<string, number[]>();
  private readonly prefixLengths: number[] = [];
  private readonly numberSteps: number[] = [];
  private readonly minNumber: number[] = [];
  /** Per step: its gap, whether it starts / ends its pattern, and the entry it belongs to. */
  private readonly gap: Int32Array;
  private readonly first: Uint8Array;
  private readonly last: Uint8Array;
  private readonly entryOf: Int32Array;
  private readonly reach: Int32Array;
  private readonly reachGen: Int32Array;
  private generation = 0;

  constructor(lexicon: Lexicon) {
    const groups = new Map<string, ReadonlySet<string>>();
    for (const [name, words] of Object.entries(lexicon.groups)) groups.set(name, new Set(words));
    const steps: { step: Step; entry: number; first: boolean; last: boolean }[] = [];
    lexicon.entries.forEach((entry, index) => {
      for (const parsed of entry.patterns.flatMap((p) => parsePattern(p, groups))) {
        parsed.forEach((step, k) => {
          steps.push({ step, entry: index, first: k === 0, last: k === parsed.length - 1 });
          for (const w of step.words) {
            this.words.add(w);
            if (entry.kind === 'alert') this.weights.set(w, (this.weights.get(w) ?? 0) + 1);
          }
        });
      }
    });
    const n = steps.length;
    this.gap = new Int32Array(n);
    this.first = new Uint8Array(n);
    this.last = new Uint8Array(n);
    this.entryOf = new Int32Array(n);
    this.reach = new Int32Array(n);
    this.reachGen = new Int32Array(n);
    // Descending ids: a step is updated before its successor looks at it for the same token.
    for (let id = n - 1; id >= 0; id--) {
      const { step, entry, first, last } = steps[id] as (typeof steps)[number];
      this.gap[id] = step.gap;
      this.first[id] = first ? 1 : 0;
      this.last[id] = last ? 1 : 0;
      this.entryOf[id] = entry;
      for (const w of step.words) push(this.byWord, w, id);
      for (const p of step.prefixes) {
        push(this.byPrefix, p, id);
        if (!this.prefixLengths.includes(p.length)) this.prefixLengths.push(p.length);
      }
      if (step.minNumber !== null) {
        this.numberSteps.push(id);
        this.minNumber.push(step.minNumber);
      }
    }
  }

  /** All pattern hits in a repaired token stream, one per entry and sentence, in the order found. */
  run(tokens: readonly string[]): Hit[] {
    const hits: Hit[] = [];
    const gen = ++this.generation;
    this.sentence = 0;
    this.sentenceStart = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      if (token === BOUNDARY) {
        this.sentence++;
        this.sentenceStart = i + 1;
        continue;
      }
      const direct = this.byWord.get(token);
      if (direct) this.visitAll(direct, i, gen, hits);
      for (const len of this.prefixLengths) {
        if (token.length < len) continue;
        const list = this.byPrefix.get(token.slice(0, len));
        if (list) this.visitAll(list, i, gen, hits);
      }
      const c = token.charCodeAt(0);
      if (this.numberSteps.length > 0 && c >= 48 && c <= 57 && NUMERIC.test(token)) {
        const value = Number(token);
        const list: number[] = [];
        for (let k = 0; k < this.numberSteps.length; k++) {
          if (value >= (this.minNumber[k] as number)) list.push(this.numberSteps[k] as number);
        }
        this.visitAll(list, i, gen, hits);
      }
    }
    return hits;
  }

  private sentence = 0;
  private sentenceStart = 0;

  /** Advances every step in `ids` (descending) that token i can reach. */
  private visitAll(ids: readonly number[], i: number, gen: number, hits: Hit[]): void {
    const { first, reach, reachGen, gap, last } = this;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      if (first[id] === 0) {
        const prev = id - 1;
        if (reachGen[prev] !== gen) continue;
        const at = reach[prev] as number;
        if (at < this.sentenceStart || at >= i || i - at - 1 > (gap[id] as number)) continue;
      }
      reachGen[id] = gen;
      reach[id] = i;
      if (last[id] === 1) {
        const entry = this.entryOf[id] as number;
        const sentence = this.sentence;
        let seen = false;
        for (const h of hits) if (h.entry === entry && h.sentence === sentence) seen = true;
        if (!seen) hits.push({ entry, sentence });
      }
    }
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
