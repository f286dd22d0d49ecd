import type { Lexicon } from './lexicon';
import { parsePattern, type Step } from './pattern';
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
 * accepts it (words, stems, numbers). Matching keeps, per step, the latest token position where it was
 * reached: step s is reached at token i when it accepts the token and step s−1 was reached at most `gap(s)`
 * tokens earlier in the same sentence. A token's continuation steps are grouped by their parent's bucket and
 * only buckets with a node reached in this sentence are looked at, so the work per token is about the number
 * of first steps accepting it plus the continuations that could apply, whatever the gaps.
 * No regular expression is built from lexicon text.
 */
export class Matcher {
  /** Every literal the patterns accept (for the vocabulary). */
  readonly words = new Set<string>();
  /** How many alert-pattern steps accept each word: a masked word (`c*t`) resolves to the heaviest. */
  readonly weights = new Map<string, number>();
  /** Per word (and stem): the steps accepting it (see {@link Dispatch}). */
  private readonly byWord = new Map<string, Dispatch>();
  private readonly byPrefix = new Map<string, Dispatch>();
  private readonly prefixLengths: number[] = [];
  /** The stems, grouped by length in {@link prefixLengths} order (a token starts with at most one per length). */
  private readonly prefixes: { prefix: string; dispatch: Dispatch }[] = [];
  private readonly numberSteps: number[] = [];
  private readonly minNumber: number[] = [];
  /** Per number step: the {@link reach} slot of its parent (−1 for a first step). */
  private readonly numberParentSlot: number[] = [];
  /** Per node: its gap, its parent node (−1 for a pattern's first step), and the entries that end there. */
  private readonly gap: Int32Array;
  private readonly parent: Int32Array;
  /** Per node: the {@link reach} slot its position is read from (its own id, or its single dispatch entry's). */
  private readonly slot: Int32Array;
  private readonly ends: (readonly number[] | undefined)[];
  /**
   * Per node, then per dispatch entry: the position where it was last reached (or, for an entry, where a token
   * it accepts last appeared), on a clock that runs on across calls (`base` + token index), so a value from an
   * earlier call is always before the current sentence start and no per-call clearing or generation array is
   * needed. A first step accepted by one dispatch entry only is reached exactly when that entry's token
   * appears, so its position is read from the entry's slot (see {@link Dispatch.slot}) and never written per
   * step: a repeated word costs one write, not one per pattern it starts.
   */
  private readonly reach: Int32Array;
  private base = 0;
  /**
   * Per parent bucket (node id mod {@link BUCKETS}): 0 when no node of it was reached in this sentence, else
   * 1 + its position in {@link markedList} (its rank: buckets are scanned in the order they were marked).
   */
  private readonly marked = new Int32Array(BUCKETS);
  /** The buckets marked in this sentence, in the order they were marked. */
  private readonly markedList = new Int32Array(BUCKETS);
  private markedCount = 0;
  /** Scratch for {@link check}'s step-by-step path: the steps found, and their bucket's rank (sorted by rank). */
  private foundIds: Int32Array = new Int32Array(0);
  private foundRanks: Int32Array = new Int32Array(0);
  /** Steps reached by the current token, applied after all its steps were checked (as (id) list). */
  private pending = new Int32Array(64);
  private pendingCount = 0;

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
    const byWord = new Map<string, number[]>();
    const byPrefix = new Map<string, number[]>();
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
        this.numberSteps.push(id);
        this.minNumber.push(step.minNumber);
      }
    });
    // Where each node's position is read from: its own slot, or (a first step in exactly one dispatch list and
    // no `#num` step) its dispatch entry's slot after the n node slots.
    const lists = [...byWord.values(), ...byPrefix.values()];
    const sources = new Int32Array(n);
    for (const ids of lists) for (const id of ids) if ((this.parent[id] as number) < 0) (sources[id] as number)++;
    for (const id of this.numberSteps) sources[id] = 2;
    this.slot = Int32Array.from({ length: n }, (_, id) => id);
    lists.forEach((ids, index) => {
      for (const id of ids) if ((this.parent[id] as number) < 0 && sources[id] === 1) this.slot[id] = n + index;
    });
    this.reach = new Int32Array(n + lists.length).fill(NEVER);
    for (const id of this.numberSteps) {
      const parent = this.parent[id] as number;
      this.numberParentSlot.push(parent < 0 ? -1 : (this.slot[parent] as number));
    }
    let index = 0;
    for (const [w, ids] of byWord) this.byWord.set(w, this.dispatch(ids, n + index++));
    for (const [p, ids] of byPrefix) this.byPrefix.set(p, this.dispatch(ids, n + index++));
    let most = 0;
    for (const d of [...this.byWord.values(), ...this.byPrefix.values()]) most = Math.max(most, d.steps.length / 3);
    this.foundIds = new Int32Array(most);
    this.foundRanks = new Int32Array(most);
    // Prefix lookups go by length, in the order the lengths first appeared (see `run`).
    for (const len of this.prefixLengths) {
      for (const [p, d] of this.byPrefix) if (p.length === len) this.prefixes.push({ prefix: p, dispatch: d });
    }
  }

  /**
   * Splits the steps accepting one token into first steps and continuations grouped by parent bucket; `slot` is
   * the entry's own {@link reach} slot.
   */
  private dispatch(ids: readonly number[], slot: number): Dispatch {
    const roots = ids.filter((id) => (this.parent[id] as number) < 0);
    const own = roots.filter((id) => this.slot[id] === id);
    const rest = ids.filter((id) => (this.parent[id] as number) >= 0);
    const bucketOf = (id: number): number => (this.parent[id] as number) & (BUCKETS - 1);
    rest.sort((a, b) => bucketOf(a) - bucketOf(b) || a - b);
    const steps = new Int32Array(rest.length * 3);
    rest.forEach((id, k) => {
      steps[3 * k] = id;
      steps[3 * k + 1] = this.slot[this.parent[id] as number] as number;
      steps[3 * k + 2] = this.gap[id] as number;
    });
    const parentBuckets = Int32Array.from(rest, bucketOf);
    const first = Int32Array.from(roots);
    const mine = Int32Array.from(own);
    if (rest.length < INDEX_MIN) {
      return { roots: first, own: mine, slot, steps, parentBuckets, offsets: null, bits: null };
    }
    const offsets = new Int32Array(BUCKETS + 1);
    for (const id of rest) (offsets[bucketOf(id) + 1] as number)++;
    for (let b = 0; b < BUCKETS; b++) offsets[b + 1] = (offsets[b + 1] as number) + (offsets[b] as number);
    const bits = new Int32Array(BUCKETS / 32);
    for (const id of rest) {
      const b = bucketOf(id);
      bits[b >> 5] = (bits[b >> 5] as number) | (1 << (b & 31));
    }
    return { roots: first, own: mine, slot, steps, parentBuckets, offsets, bits };
  }

  /** How many merged steps (trie nodes) the automaton has. */
  get size(): number {
    return this.gap.length;
  }

  /** The dispatch entries accepting a token: its word's, then each stem's it starts with (in `prefixes` order). */
  lookup(token: string): Dispatch[] | null {
    const out: Dispatch[] = [];
    const direct = this.byWord.get(token);
    if (direct) out.push(direct);
    for (const { prefix, dispatch } of this.prefixes) if (token.startsWith(prefix)) out.push(dispatch);
    return out.length > 0 ? out : null;
  }

  /** The token's value when `#num` steps may accept it (1–9 digits), else −1. */
  numberValue(token: string): number {
    return this.numberSteps.length > 0 && NUMERIC.test(token) ? Number(token) : -1;
  }

  /** All pattern hits in a repaired token stream, one per entry and sentence, in the order found. */
  run(tokens: readonly Token[]): Hit[] {
    const hits: Hit[] = [];
    if (this.base > CLOCK_LIMIT) {
      this.reach.fill(NEVER);
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
        for (let k = 0; k < this.numberSteps.length; k++) {
          const id = this.numberSteps[k] as number;
          if (number >= (this.minNumber[k] as number))
            this.consider(id, this.numberParentSlot[k] as number, this.gap[id] as number, at);
        }
      }
      // After every check (reads see the state before this token): the entries' first steps are reached here.
      // On an entry's first appearance in the sentence its first steps are queued, and `apply` writes them.
      if (match !== null) {
        const { reach, sentenceStart } = this;
        for (let d = 0; d < match.length; d++) {
          const { slot, own } = match[d] as Dispatch;
          if ((reach[slot] as number) >= sentenceStart)
            for (let k = 0; k < own.length; k++) reach[own[k] as number] = at;
          reach[slot] = at;
        }
      }
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
    // First steps are always reached (`run` records their position). Only the entry's first appearance in this
    // sentence queues them for {@link apply}: after it their buckets are marked and the entries they end have
    // their hit for this sentence, so applying them again would change nothing. (A plain loop: `set` costs
    // more than it saves on lists this short.)
    if (roots.length > 0 && (reach[d.slot] as number) < sentenceStart) {
      this.reserve(roots.length);
      const { pending } = this;
      let n = this.pendingCount;
      for (let k = 0; k < roots.length; k++) pending[n++] = roots[k] as number;
      this.pendingCount = n;
    }
    if (steps.length === 0) return;
    if (offsets === null) {
      for (let k = 0; k < steps.length; k += 3) {
        const at = reach[steps[k + 1] as number] as number;
        if (at < sentenceStart || at >= i || i - at - 1 > (steps[k + 2] as number)) continue;
        this.push(steps[k] as number);
      }
      return;
    }
    const count = steps.length / 3;
    if (this.markedCount <= count) {
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
      return;
    }
    // Long sentences mark more buckets than this token has steps: check every step instead, and push the ones
    // reached in the order the bucket scan above would have (by their parent bucket's rank, then as stored).
    // A reached parent was reached in this sentence, so its bucket is marked and has a rank.
    const { marked, foundIds, foundRanks } = this;
    const { parentBuckets } = d;
    let found = 0;
    for (let k = 0; k < count; k++) {
      const at = reach[steps[3 * k + 1] as number] as number;
      if (at < sentenceStart || at >= i || i - at - 1 > (steps[3 * k + 2] as number)) continue;
      // Steps are stored by bucket, so a stable insertion by rank keeps their order within a bucket.
      const rank = marked[parentBuckets[k] as number] as number;
      let j = found++;
      while (j > 0 && (foundRanks[j - 1] as number) > rank) {
        foundRanks[j] = foundRanks[j - 1] as number;
        foundIds[j] = foundIds[j - 1] as number;
        j--;
      }
      foundRanks[j] = rank;
      foundIds[j] = steps[3 * k] as number;
    }
    for (let k = 0; k < found; k++) this.push(foundIds[k] as number);
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

  /** Records the steps the token reached: their position, their bucket's mark, and entries they complete. */
  private apply(i: number, hits: Hit[]): void {
    const { reach, marked, markedList, ends, pending } = this;
    for (let k = 0; k < this.pendingCount; k++) {
      const id = pending[k] as number;
      reach[id] = i;
      const b = id & (BUCKETS - 1);
      if (marked[b] === 0) {
        markedList[this.markedCount++] = b;
        marked[b] = this.markedCount;
      }
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

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

/** What a step accepts, as a canonical string (steps accepting the same tokens share a trie node). */
function stepKey(step: Step): string {
  return `${[...step.words].sort().join(',')}/${[...step.prefixes].sort().join(',')}/${step.minNumber ?? ''}`;
}
