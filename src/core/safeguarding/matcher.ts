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
 * Every lexicon pattern compiled into one token automaton. Pattern steps are merged into a trie (variants that
 * start alike share nodes) and each node has an id; one
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
  /** Per node: its gap, its parent node (−1 for a pattern's first step), and the entries that end there. */
  private readonly gap: Int32Array;
  private readonly parent: Int32Array;
  private readonly ends: (readonly number[] | undefined)[];
  private readonly reach: Int32Array;
  private readonly reachGen: Int32Array;
  private generation = 0;

  constructor(lexicon: Lexicon) {
    const groups = new Map<string, ReadonlySet<string>>();
    for (const [name, words] of Object.entries(lexicon.groups)) groups.set(name, new Set(words));
    // Pattern variants share prefixes (groups and phrase alternatives multiply them), so steps are merged
    // into a trie: a node is (parent node, gap, what the step accepts). Variants that start alike share
    // nodes, which keeps the per-token dispatch lists short.
    const nodes: { step: Step; parent: number; ends: number[] }[] = [];
    const nodeByKey = new Map<string, number>();
    lexicon.entries.forEach((entry, index) => {
      for (const parsed of entry.patterns.flatMap((p) => parsePattern(p, groups))) {
        let parent = -1;
        parsed.forEach((step, k) => {
          for (const w of step.words) {
            this.words.add(w);
            if (entry.kind === 'alert') this.weights.set(w, (this.weights.get(w) ?? 0) + 1);
          }
          const key = `${parent}|${step.gap}|${stepKey(step)}`;
          let id = nodeByKey.get(key);
          if (id === undefined) {
            id = nodes.length;
            nodes.push({ step, parent, ends: [] });
            nodeByKey.set(key, id);
          }
          if (k === parsed.length - 1) {
            const ends = (nodes[id] as (typeof nodes)[number]).ends;
            if (!ends.includes(index)) ends.push(index);
          }
          parent = id;
        });
      }
    });
    const n = nodes.length;
    this.gap = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.ends = new Array<readonly number[] | undefined>(n);
    this.reach = new Int32Array(n);
    this.reachGen = new Int32Array(n);
    // Descending ids: a child (always a higher id) is visited before its parent for the same token,
    // so one token never satisfies two consecutive steps.
    for (let id = n - 1; id >= 0; id--) {
      const { step, parent, ends } = nodes[id] as (typeof nodes)[number];
      this.gap[id] = step.gap;
      this.parent[id] = parent;
      this.ends[id] = ends.length > 0 ? ends : undefined;
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

  /** How many merged steps (trie nodes) the automaton has. */
  get size(): number {
    return this.gap.length;
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
    const { parent, reach, reachGen, gap, ends } = this;
    const sentenceStart = this.sentenceStart;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      const prev = parent[id] as number;
      if (prev >= 0) {
        if (reachGen[prev] !== gen) continue;
        const at = reach[prev] as number;
        if (at < sentenceStart || at >= i || i - at - 1 > (gap[id] as number)) continue;
      }
      reachGen[id] = gen;
      reach[id] = i;
      const done = ends[id];
      if (done !== undefined) {
        const sentence = this.sentence;
        for (const entry of done) {
          let seen = false;
          for (const h of hits) if (h.entry === entry && h.sentence === sentence) seen = true;
          if (!seen) hits.push({ entry, sentence });
        }
      }
    }
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** What a step accepts, as a canonical string (steps accepting the same tokens share a trie node). */
function stepKey(step: Step): string {
  return `${[...step.words].sort().join(',')}/${[...step.prefixes].sort().join(',')}/${step.minNumber ?? ''}`;
}
