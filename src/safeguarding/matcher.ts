import type { Lexicon } from './lexicon';
import { groupSets, parsePatternOnce, type Step } from './pattern';
import type { Dispatch, Token } from './token';

export type { Dispatch };

/** One pattern hit: which entry, and in which sentence (0-based). */
export interface Hit {
  entry: number;
  sentence: number;
}

const NUMERIC = /^[0-9]{1,9}$/;
/** "Never reached" on the matcher's clock. */
const NEVER = -1;
/** The clock restarts (after clearing) before it could overflow an Int32. */
const CLOCK_LIMIT = 0x3fffffff;
/** Continuations are grouped by their parent's id modulo this (a power of two). */
const BUCKETS = 1024;
/** Tokens with fewer continuation steps than this are checked one by one (no bucket index). */
const INDEX_MIN = 24;

/**
 * Every lexicon pattern compiled into one token automaton. Pattern steps are merged into a trie (variants that
 * start alike share nodes) and each node has an id; one dispatch table maps a token to every step that
 * accepts it (words, stems, numbers). Matching keeps the latest token position where each step was reached:
 * step s is reached at token i when it accepts the token and step s−1 was reached at most `gap(s)` tokens
 * earlier in the same sentence. A first step is reached exactly when a token it accepts appears, so its
 * position is never written per step: it is the latest position of any of its dispatch entries, and a
 * continuation of it is checked against each of those entries' positions (its "source slots"). A token's
 * continuation steps are grouped by the bucket of the slot they read, and only buckets written in this sentence
 * are looked at, so the work per token is about the continuations that could apply, whatever the gaps and
 * however many patterns the token starts ("i", "want" and "go" start dozens).
 * No regular expression is built from lexicon text.
 */
export class Matcher {
  /** Every literal the patterns accept (for the vocabulary). */
  readonly words = new Set<string>();
  /** How many alert-pattern steps accept each word: a masked word (`c*t`) resolves to the heaviest. */
  readonly weights = new Map<string, number>();
  /** Per word (and stem): the steps accepting it (see {@link Dispatch}, built on first use: {@link LazyDispatch}). */
  private readonly byWord = new Map<string, LazyDispatch>();
  private readonly byPrefix = new Map<string, LazyDispatch>();
  private readonly prefixLengths: number[] = [];
  /** The stems, grouped by length in {@link prefixLengths} order (a token starts with at most one per length). */
  private readonly prefixes: { prefix: string; dispatch: LazyDispatch }[] = [];
  /** Per node: its source slots (see the constructor), kept for the dispatch entries built on first use. */
  private readonly sources: readonly (readonly number[])[];
  /**
   * The `#num` steps as (id, parent's source slot, gap) triples, one per source slot of the parent (−1 for a
   * first step), in node order.
   */
  private readonly numberTriples: number[] = [];
  /** Per number triple: the least number it accepts. */
  private readonly minNumber: number[] = [];
  /** Per node: its gap, its parent node (−1 for a pattern's first step), and the entries that end there. */
  private readonly gap: Int32Array;
  private readonly parent: Int32Array;
  private readonly ends: (readonly number[] | undefined)[];
  /**
   * Per node, then per dispatch entry: the position where it was last reached (or, for an entry, where a token
   * it accepts last appeared), on a clock that runs on across calls (`base` + token index), so a value from an
   * earlier call is always before the current sentence start and no per-call clearing or generation array is
   * needed. A first step is read from its dispatch entries' slots (see {@link Dispatch.slot}), and from its own
   * only when it is a `#num` step: a repeated word costs one write, not one per pattern it starts.
   */
  private readonly reach: Int32Array;
  private base = 0;
  /** Per bucket (reach slot mod {@link BUCKETS}): 1 when a slot of it was written in this sentence, else 0. */
  private readonly marked = new Uint8Array(BUCKETS);
  /** The buckets marked in this sentence, in the order they were marked. */
  private readonly markedList = new Int32Array(BUCKETS);
  private markedCount = 0;
  /** Per entry: the clock position of the sentence it last hit in (one hit per entry and sentence). */
  private readonly hitIn: Int32Array;
  /** Steps reached by the current token, applied after all its steps were checked (as (id) list). */
  private pending = new Int32Array(64);
  private pendingCount = 0;

  constructor(lexicon: Lexicon) {
    const groups = groupSets(lexicon.groups);
    // Pattern variants share prefixes (groups and phrase alternatives multiply them), so steps are merged
    // into a trie: a node is (parent node, gap, what the step accepts). Variants that start alike share
    // nodes, which keeps the per-token dispatch lists short.
    const nodes: { step: Step; parent: number; ends: number[] }[] = [];
    const nodeByKey = new Map<string, number>();
    // A pattern's variants share each step's `words` set (parsePattern copies steps, not what they accept, and a
    // step that is one group is given the group's set), so its canonical key is worked out once per set, and
    // stands in node keys as a short number.
    const keys = new Map<ReadonlySet<string>, number>();
    const keyIds = new Map<string, number>();
    const keyOf = (step: Step): number => {
      let id = keys.get(step.words);
      if (id === undefined) {
        const key = stepKey(step);
        id = keyIds.get(key);
        if (id === undefined) keyIds.set(key, (id = keyIds.size));
        keys.set(step.words, id);
      }
      return id;
    };
    // Per words set: how many alert-pattern steps use it (the words' weights are these counts, added up at the end
    // rather than word by word for every step of every variant).
    const uses = new Map<ReadonlySet<string>, number>();
    lexicon.entries.forEach((entry, index) => {
      const alert = entry.kind === 'alert' ? 1 : 0;
      for (const parsed of entry.patterns.flatMap((p) => parsePatternOnce(p, groups))) {
        let parent = -1;
        parsed.forEach((step, k) => {
          uses.set(step.words, (uses.get(step.words) ?? 0) + alert);
          const key = `${parent}|${step.gap}|${keyOf(step)}`;
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
    for (const [words, n] of uses) {
      for (const w of words) {
        this.words.add(w);
        if (n > 0) this.weights.set(w, (this.weights.get(w) ?? 0) + n);
      }
    }
    const n = nodes.length;
    this.hitIn = new Int32Array(lexicon.entries.length).fill(NEVER);
    this.gap = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.ends = new Array<readonly number[] | undefined>(n);
    const byWord = new Map<string, number[]>();
    const byPrefix = new Map<string, number[]>();
    const numberSteps: number[] = [];
    const numberMin: number[] = [];
    nodes.forEach(({ step, parent, ends }, id) => {
      this.gap[id] = step.gap;
      this.parent[id] = parent;
      this.ends[id] = ends.length > 0 ? ends : undefined;
      for (const w of step.words) push(byWord, w, id);
      for (const p of step.prefixes) {
        push(byPrefix, p, id);
        if (!this.prefixLengths.includes(p.length)) this.prefixLengths.push(p.length);
      }
      if (step.minNumber !== null) {
        numberSteps.push(id);
        numberMin.push(step.minNumber);
      }
    });
    // Where a step's position is read from (its source slots): a continuation's own slot (its id); a first
    // step's dispatch entries' slots (n + the entry's index), and its own slot too when it is a `#num` step
    // (numbers have no dispatch entry; `apply` writes it).
    const lists = [...byWord.values(), ...byPrefix.values()];
    const sources: number[][] = Array.from({ length: n }, (_, id) => ((this.parent[id] as number) < 0 ? [] : [id]));
    lists.forEach((ids, index) => {
      for (const id of ids) if ((this.parent[id] as number) < 0) (sources[id] as number[]).push(n + index);
    });
    for (const id of numberSteps) if ((this.parent[id] as number) < 0) (sources[id] as number[]).push(id);
    this.reach = new Int32Array(n + lists.length).fill(NEVER);
    numberSteps.forEach((id, k) => {
      const parent = this.parent[id] as number;
      for (const from of parent < 0 ? [-1] : (sources[parent] as number[])) {
        this.numberTriples.push(id, from, this.gap[id] as number);
        this.minNumber.push(numberMin[k] as number);
      }
    });
    this.sources = sources;
    // Each entry's slot is fixed here; its tables are built when a token first needs them (most words of the
    // lexicon never come up in a run, and building them all was a good part of start-up).
    let index = 0;
    for (const [w, ids] of byWord) this.byWord.set(w, { ids, slot: n + index++, built: null });
    for (const [p, ids] of byPrefix) this.byPrefix.set(p, { ids, slot: n + index++, built: null });
    // Prefix lookups go by length, in the order the lengths first appeared (see `run`).
    for (const len of this.prefixLengths) {
      for (const [p, d] of this.byPrefix) if (p.length === len) this.prefixes.push({ prefix: p, dispatch: d });
    }
  }

  /**
   * The steps accepting one token, for its dispatch entry with reach slot `slot`: the first steps that end an
   * entry (single-step patterns), and the continuations as one triple per source slot of their parent, grouped
   * by that slot's bucket.
   */
  private dispatch(ids: readonly number[], slot: number, sources: readonly (readonly number[])[]): Dispatch {
    const roots = ids.filter((id) => (this.parent[id] as number) < 0 && this.ends[id] !== undefined);
    // Each triple as one number, (bucket × nodes + id) × slots + source slot (exact below 2^53), so a typed sort
    // orders them by bucket, then id, then slot without an array per triple (start-up builds thousands of these).
    const nodes = this.gap.length;
    const slots = this.reach.length;
    let count = 0;
    for (const id of ids) {
      const parent = this.parent[id] as number;
      if (parent >= 0) count += (sources[parent] as number[]).length;
    }
    const keys = new Float64Array(count);
    count = 0;
    for (const id of ids) {
      const parent = this.parent[id] as number;
      if (parent >= 0)
        for (const from of sources[parent] as number[])
          keys[count++] = ((from & (BUCKETS - 1)) * nodes + id) * slots + from;
    }
    keys.sort();
    const steps = new Int32Array(count * 3);
    const buckets = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      const key = keys[k] as number;
      const from = key % slots;
      const rest = (key - from) / slots;
      const id = rest % nodes;
      buckets[k] = (rest - id) / nodes;
      steps[3 * k] = id;
      steps[3 * k + 1] = from;
      steps[3 * k + 2] = this.gap[id] as number;
    }
    const first = Int32Array.from(roots);
    if (count < INDEX_MIN) return { roots: first, slot, steps, offsets: null, bits: null };
    const offsets = new Int32Array(BUCKETS + 1);
    for (const b of buckets) (offsets[b + 1] as number)++;
    for (let b = 0; b < BUCKETS; b++) offsets[b + 1] = (offsets[b + 1] as number) + (offsets[b] as number);
    const bits = new Int32Array(BUCKETS / 32);
    for (const b of buckets) bits[b >> 5] = (bits[b >> 5] as number) | (1 << (b & 31));
    return { roots: first, slot, steps, offsets, bits };
  }

  /** How many merged steps (trie nodes) the automaton has. */
  get size(): number {
    return this.gap.length;
  }

  /** The dispatch entries accepting a token: its word's, then each stem's it starts with (in `prefixes` order). */
  lookup(token: string): Dispatch[] | null {
    const out: Dispatch[] = [];
    const direct = this.byWord.get(token);
    if (direct) out.push(this.built(direct));
    for (const { prefix, dispatch } of this.prefixes) if (token.startsWith(prefix)) out.push(this.built(dispatch));
    return out.length > 0 ? out : null;
  }

  /** A dispatch entry's tables, built on first use (the same whenever built: they depend on the automaton alone). */
  private built(entry: LazyDispatch): Dispatch {
    entry.built ??= this.dispatch(entry.ids, entry.slot, this.sources);
    return entry.built;
  }

  /** The token's value when `#num` steps may accept it (1–9 digits), else −1. */
  numberValue(token: string): number {
    return this.numberTriples.length > 0 && NUMERIC.test(token) ? Number(token) : -1;
  }

  /** All pattern hits in a repaired token stream, one per entry and sentence, in the order found. */
  run(tokens: readonly Token[]): Hit[] {
    const hits: Hit[] = [];
    if (this.base > CLOCK_LIMIT) {
      this.reach.fill(NEVER);
      this.hitIn.fill(NEVER);
      this.base = 0;
    }
    const base = this.base;
    this.base += tokens.length + 1;
    this.sentence = 0;
    this.sentenceStart = base;
    this.clearMarks();
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.boundary) {
        this.sentence++;
        this.sentenceStart = base + i + 1;
        this.clearMarks();
        continue;
      }
      const { match, number } = token;
      if (match === null && number < 0) continue;
      const at = base + i;
      this.pendingCount = 0;
      if (match !== null) for (let d = 0; d < match.length; d++) this.check(match[d] as Dispatch, at);
      if (number >= 0) {
        const triples = this.numberTriples;
        for (let k = 0, t = 0; k < triples.length; k += 3, t++) {
          if (number >= (this.minNumber[t] as number))
            this.consider(triples[k] as number, triples[k + 1] as number, triples[k + 2] as number, at);
        }
      }
      // After every check (reads see the state before this token): the token's entries were reached here, and
      // with them every first step they accept.
      if (match !== null) for (let d = 0; d < match.length; d++) this.write((match[d] as Dispatch).slot, at);
      if (this.pendingCount > 0) this.apply(at, hits);
    }
    return hits;
  }

  private sentence = 0;
  private sentenceStart = 0;

  /**
   * Collects the steps of one dispatch entry that the token at clock position i reaches. Only continuations
   * whose parent's bucket was reached in this sentence are looked at. Reads see the state before this token
   * (writes wait for {@link apply}), so one token never satisfies two consecutive steps.
   */
  private check(d: Dispatch, i: number): void {
    const { roots, steps, offsets } = d;
    const { reach, markedList } = this;
    const sentenceStart = this.sentenceStart;
    // First steps are reached whenever the token appears (`run` writes the entry's slot). Those that end an entry
    // are queued for {@link apply} on the entry's first appearance in this sentence only: after it the entries
    // have their hit for this sentence. (A plain loop: `set` costs more than it saves on lists this short.)
    if (roots.length > 0 && (reach[d.slot] as number) < sentenceStart) {
      this.reserve(roots.length);
      const { pending } = this;
      let n = this.pendingCount;
      for (let k = 0; k < roots.length; k++) pending[n++] = roots[k] as number;
      this.pendingCount = n;
    }
    if (steps.length === 0) return;
    // Short lists, and long sentences that marked more buckets than this token has steps: check every step.
    if (offsets === null || this.markedCount > steps.length / 3) {
      for (let k = 0; k < steps.length; k += 3) {
        const at = reach[steps[k + 1] as number] as number;
        if (at < sentenceStart || at >= i || i - at - 1 > (steps[k + 2] as number)) continue;
        this.push(steps[k] as number);
      }
      return;
    }
    const bits = d.bits as Int32Array;
    for (let m = 0; m < this.markedCount; m++) {
      const b = markedList[m] as number;
      // Most marked buckets hold none of this token's steps: the bitmap says so without touching `offsets`.
      if (((bits[b >> 5] as number) & (1 << (b & 31))) === 0) continue;
      const end = offsets[b + 1] as number;
      for (let k = offsets[b] as number; k < end; k++) {
        const at = reach[steps[3 * k + 1] as number] as number;
        if (at < sentenceStart || at >= i || i - at - 1 > (steps[3 * k + 2] as number)) continue;
        this.push(steps[3 * k] as number);
      }
    }
  }

  private clearMarks(): void {
    for (let m = 0; m < this.markedCount; m++) this.marked[this.markedList[m] as number] = 0;
    this.markedCount = 0;
  }

  /** Queues step `id` when its parent (read from {@link reach} slot `prev`, −1 for none) allows it at i. */
  private consider(id: number, prev: number, gap: number, i: number): void {
    if (prev >= 0) {
      const at = this.reach[prev] as number;
      if (at < this.sentenceStart || at >= i || i - at - 1 > gap) return;
    }
    this.push(id);
  }

  private push(id: number): void {
    if (this.pendingCount === this.pending.length) this.reserve(1);
    this.pending[this.pendingCount++] = id;
  }

  /** Grows {@link pending} (doubling) until `more` ids fit after the current ones. */
  private reserve(more: number): void {
    let size = this.pending.length;
    while (this.pendingCount + more > size) size *= 2;
    if (size === this.pending.length) return;
    const bigger = new Int32Array(size);
    bigger.set(this.pending);
    this.pending = bigger;
  }

  /** Records that reach slot `slot` was reached at i, and marks its bucket. */
  private write(slot: number, i: number): void {
    this.reach[slot] = i;
    const b = slot & (BUCKETS - 1);
    if (this.marked[b] === 0) {
      this.markedList[this.markedCount++] = b;
      this.marked[b] = 1;
    }
  }

  /**
   * Records the steps the token reached: their position, their bucket's mark, and the entries they complete.
   * Entries completed at the same token are listed in the lexicon's order, so the order of hits never depends on
   * the order the steps were found in.
   */
  private apply(i: number, hits: Hit[]): void {
    const { ends, pending } = this;
    const first = hits.length;
    for (let k = 0; k < this.pendingCount; k++) {
      const id = pending[k] as number;
      this.write(id, i);
      const done = ends[id];
      if (done !== undefined) {
        // One hit per entry and sentence: a stamp per entry, not a search of the hits so far.
        const { hitIn, sentenceStart, sentence } = this;
        for (const entry of done) {
          if (hitIn[entry] === sentenceStart) continue;
          hitIn[entry] = sentenceStart;
          hits.push({ entry, sentence });
        }
      }
    }
    for (let k = first + 1; k < hits.length; k++) {
      const hit = hits[k] as Hit;
      let j = k;
      for (; j > first && (hits[j - 1] as Hit).entry > hit.entry; j--) hits[j] = hits[j - 1] as Hit;
      hits[j] = hit;
    }
  }
}

/** A word's (or stem's) steps and reach slot, and its {@link Dispatch} once a token needed it. */
interface LazyDispatch {
  readonly ids: readonly number[];
  readonly slot: number;
  built: Dispatch | null;
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

/** What a step accepts, as a canonical string (steps accepting the same tokens share a trie node). */
function stepKey(step: Step): string {
  return `${[...step.words].sort().join(',')}/${[...step.prefixes].sort().join(',')}/${step.minNumber ?? ''}`;
}
