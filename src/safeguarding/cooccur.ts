import { isLiteralToken } from './pattern';
import type { ConceptInfo, PhraseRest, Token } from './token';

export type { ConceptInfo };
import type { Category, Severity } from './types';
import { HavenError } from '../common/errors';

/** Widest window (in tokens) a co-occurrence rule may ask for. */
export const MAX_WINDOW = 24;
/** Most words in one concept phrase (`nothing+to+eat`). */
export const MAX_PHRASE_WORDS = 5;
/** Most concepts one rule may combine (`all` + `any` + `unless`). */
export const MAX_RULE_CONCEPTS = 16;
/** Most rule hits collected for one message, times two (the first ones win; the rest is not looked at). */
const MAX_HITS = 128;
const MIN_STEM = 3;

/** A co-occurrence rule as written in lexicon.json (concept names carry a leading `@`). */
export interface CooccurRuleSource {
  id: string;
  category: Category;
  severity: Severity;
  all: string[];
  any?: string[] | undefined;
  unless?: string[] | undefined;
  window: number;
  scope: 'sentence' | 'message';
  ordered?: boolean | undefined;
}

/** Raised for a concept term or rule the lexicon loader must reject; the message says why. */
export class CooccurError extends HavenError {
  constructor(message: string) {
    super(message, 'COOCCUR_INVALID', { permanent: true });
  }
}

/**
 * Checks one concept term: a literal token (`knife`), a stem (`bleed*`, at least 3 characters) or a phrase of
 * literal tokens (`nothing+to+eat`, up to {@link MAX_PHRASE_WORDS} words).
 * @throws CooccurError saying why the term cannot be used.
 */
export function checkConceptTerm(term: string): void {
  if (term.includes('+')) {
    const words = term.split('+');
    if (words.length > MAX_PHRASE_WORDS) throw new CooccurError(`phrase has more than ${MAX_PHRASE_WORDS} words`);
    for (const w of words) {
      if (w === '' || !isLiteralToken(w))
        throw new CooccurError(`"${w}" in phrase "${term}" is not a normalised token`);
    }
    return;
  }
  if (term.endsWith('*')) {
    const stem = term.slice(0, -1);
    if (stem.length < MIN_STEM || !isLiteralToken(stem)) {
      throw new CooccurError(`stem "${term}" needs a plain stem of at least ${MIN_STEM} characters`);
    }
    return;
  }
  if (!isLiteralToken(term)) throw new CooccurError(`"${term}" is not a single normalised token`);
}

/** One co-occurrence hit: which rule (index into the lexicon's `cooccur`), and in which sentence. */
export interface CooccurHit {
  rule: number;
  sentence: number;
}

interface CompiledRule {
  all: Int32Array;
  any: Int32Array | null;
  unless: Int32Array | null;
  window: number;
  message: boolean;
  ordered: boolean;
}

interface Phrase {
  rest: readonly string[];
  concept: number;
}

interface DraftInfo {
  concepts: number[];
  phrases: Phrase[];
}

/** A word's (or stem's) draft, and its {@link ConceptInfo} once a token needed it. */
interface LazyInfo {
  readonly draft: DraftInfo;
  info: ConceptInfo | null;
}

/**
 * The concept co-occurrence layer: each token is mapped to the concepts it belongs to (a word, a stem or a
 * phrase starting there), and a rule fires when all its `all` concepts (and one of its `any` concepts) were
 * seen within `window` tokens of each other, in one sentence (or, for `scope: "message"`, anywhere in the
 * message), and none of its `unless` concepts occurs in that sentence (message). Positions are kept per
 * concept on a clock that runs on across calls, so no per-call clearing is needed. Work per token is the
 * concepts it hits plus the rules that use them. No regular expression is built from lexicon text.
 */
export class CooccurMatcher {
  /** Every literal word the concepts use. */
  readonly words = new Set<string>();
  /** Ids of the words that follow a phrase's first word (see {@link phraseWord}). */
  private readonly phraseWords = new Map<string, number>();
  /**
   * Per token: the concepts it belongs to, the rules they take part in, and phrases starting with it; compiled into
   * a {@link ConceptInfo} when a token first needs it (most concept words never come up in a run).
   */
  private readonly byToken = new Map<string, LazyInfo>();
  private readonly stems: { stem: string; info: LazyInfo }[] = [];
  /** Per concept: the rules it takes part in (for {@link finish}). */
  private readonly byConcept: readonly (readonly number[])[];
  private minStem = Infinity;
  private readonly rules: CompiledRule[] = [];
  /** Per concept: the clock position where it was last seen. */
  private readonly last: Int32Array;
  /** Per rule: the clock position of the sentence (or message) start where it last fired. */
  private readonly firedAt: Int32Array;
  /** Per rule: a stamp so a rule is checked once per token. */
  private readonly checkedAt: Int32Array;
  /**
   * Per rule: an `all` concept that was missing when the rule was last found unsatisfied, read before anything else
   * (any missing concept fails the rule): in a long or repetitive message the same one is usually still missing, so
   * most checks are this one read. With the rule's window and scope in typed arrays beside it, a check that fails
   * touches no rule object.
   */
  private readonly missing: Int32Array;
  private readonly window: Int32Array;
  /** Per rule: 1 for `scope: "message"`. */
  private readonly messageScope: Uint8Array;
  private base = 0;
  /** Rules fired in the current sentence (sentence scope), judged for `unless` when it ends; then message scope. */
  private readonly openRules = new Int32Array(MAX_HITS);
  private openCount = 0;
  private readonly messageRules = new Int32Array(MAX_HITS);
  private messageCount = 0;
  /** Slots taken by sentences already closed in this call (the cap is per message). */
  private taken = 0;

  constructor(concepts: Readonly<Record<string, readonly string[]>>, rules: readonly CooccurRuleSource[]) {
    const index = new Map<string, number>();
    Object.keys(concepts).forEach((name, c) => index.set(`@${name}`, c));
    const n = index.size;
    const ids = (names: readonly string[] | undefined): Int32Array | null =>
      names && names.length > 0 ? Int32Array.from(names.map((name) => index.get(name) ?? -1)) : null;
    const byConcept: number[][] = Array.from({ length: n }, () => []);
    rules.forEach((rule, r) => {
      const all = ids(rule.all) ?? new Int32Array(0);
      const any = ids(rule.any);
      this.rules.push({
        all,
        any,
        unless: ids(rule.unless),
        window: rule.window,
        message: rule.scope === 'message',
        ordered: rule.ordered === true,
      });
      for (const c of [...all, ...(any ?? [])]) {
        const list = byConcept[c];
        if (list && !list.includes(r)) list.push(r);
      }
    });
    const draft = new Map<string, DraftInfo>();
    const stems = new Map<string, DraftInfo>();
    const entry = (map: Map<string, DraftInfo>, key: string): DraftInfo => {
      let d = map.get(key);
      if (!d) {
        d = { concepts: [], phrases: [] };
        map.set(key, d);
      }
      return d;
    };
    Object.values(concepts).forEach((terms, c) => {
      for (const term of terms) {
        if (term.includes('+')) {
          const [first, ...rest] = term.split('+') as [string, ...string[]];
          entry(draft, first).phrases.push({ rest, concept: c });
          this.words.add(first);
          for (const w of rest) this.words.add(w);
        } else if (term.endsWith('*')) {
          const d = entry(stems, term.slice(0, -1));
          if (!d.concepts.includes(c)) d.concepts.push(c);
        } else {
          const d = entry(draft, term);
          if (!d.concepts.includes(c)) d.concepts.push(c);
          this.words.add(term);
        }
      }
    });
    for (const d of draft.values()) {
      for (const p of d.phrases)
        for (const w of p.rest) if (!this.phraseWords.has(w)) this.phraseWords.set(w, this.phraseWords.size);
    }
    this.byConcept = byConcept;
    for (const [w, d] of draft) this.byToken.set(w, { draft: d, info: null });
    for (const [stem, d] of stems) {
      this.stems.push({ stem, info: { draft: d, info: null } });
      this.minStem = Math.min(this.minStem, stem.length);
    }
    this.last = new Int32Array(n).fill(-1);
    this.firedAt = new Int32Array(rules.length).fill(-1);
    this.checkedAt = new Int32Array(rules.length).fill(-1);
    this.missing = Int32Array.from(this.rules, (rule) => (rule.all.length > 0 ? (rule.all[0] as number) : -1));
    this.window = Int32Array.from(this.rules, (rule) => rule.window);
    this.messageScope = Uint8Array.from(this.rules, (rule) => (rule.message ? 1 : 0));
  }

  /** The id of a token that is a phrase's second or later word, else −1 (phrases compare these, not texts). */
  phraseWord(token: string): number {
    return this.phraseWords.get(token) ?? -1;
  }

  /** The concept entries a token belongs to: its word's, then each stem's it starts with (in stem order). */
  lookup(token: string): ConceptInfo[] | null {
    const out: ConceptInfo[] = [];
    const info = this.byToken.get(token);
    if (info !== undefined) out.push(this.finish(info));
    if (token.length >= this.minStem)
      for (const { stem, info: s } of this.stems) if (token.startsWith(stem)) out.push(this.finish(s));
    return out.length > 0 ? out : null;
  }

  /** A token's (or stem's) {@link ConceptInfo}, compiled on first use (it depends on the lexicon alone). */
  private finish(lazy: LazyInfo): ConceptInfo {
    if (lazy.info !== null) return lazy.info;
    const d = lazy.draft;
    const rulesOf = (cs: readonly number[]): Int32Array => {
      const out: number[] = [];
      for (const c of cs) for (const r of this.byConcept[c] ?? []) if (!out.includes(r)) out.push(r);
      return Int32Array.from(out);
    };
    const groups = byNextWord(d.phrases);
    lazy.info = {
      concepts: Int32Array.from(d.concepts),
      rules: rulesOf(d.concepts),
      phraseNext: groups.size > 0 ? Int32Array.from(groups.keys(), (w) => this.phraseWord(w)) : null,
      phrases:
        groups.size > 0
          ? Array.from(groups.values(), (list) =>
              list.map((p) => ({
                rest: Int32Array.from(p.rest, (w) => this.phraseWord(w)),
                concept: p.concept,
                rules: rulesOf([p.concept]),
              })),
            )
          : null,
    };
    return lazy.info;
  }

  /** Rule hits in a repaired token stream: at most one per rule and sentence (message), in the order found. */
  run(tokens: readonly Token[]): CooccurHit[] {
    const hits: CooccurHit[] = [];
    if (this.rules.length === 0) return hits;
    if (this.base > 0x3fffffff) {
      this.last.fill(-1);
      this.firedAt.fill(-1);
      this.checkedAt.fill(-1);
      this.base = 0;
    }
    const base = this.base;
    this.base += tokens.length + 1;
    this.openCount = 0;
    this.messageCount = 0;
    this.taken = 0;
    let sentence = 0;
    let sentenceStart = base;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      if (token.boundary) {
        this.closeSentence(sentence, sentenceStart, hits);
        sentence++;
        sentenceStart = base + i + 1;
        continue;
      }
      const infos = token.concepts;
      if (infos === null) continue;
      for (let k = 0; k < infos.length; k++) {
        this.see(infos[k] as ConceptInfo, tokens, i, base + i, base, sentenceStart, sentence);
      }
    }
    this.closeSentence(sentence, sentenceStart, hits);
    for (let k = 0; k < this.messageCount; k += 2) {
      const r = this.messageRules[k] as number;
      if (!this.vetoed(r, base)) hits.push({ rule: r, sentence: this.messageRules[k + 1] as number });
    }
    return hits;
  }

  /** Records the concepts a token (and the phrases starting at it) belong to, then checks their rules. */
  private see(
    info: ConceptInfo,
    tokens: readonly Token[],
    i: number,
    at: number,
    base: number,
    sentenceStart: number,
    sentence: number,
  ): void {
    const { last } = this;
    const { concepts, phraseNext } = info;
    for (let k = 0; k < concepts.length; k++) last[concepts[k] as number] = at;
    // Only phrases whose second word is the next token can match: find that group instead of trying all.
    const next = phraseNext !== null && i + 1 < tokens.length ? (tokens[i + 1] as Token).phraseWord : -1;
    let g = -1;
    if (next >= 0) {
      // A plain loop: these lists are short, and `indexOf` is a builtin call.
      const keys = phraseNext as Int32Array;
      for (let k = 0; g < 0 && k < keys.length; k++) if (keys[k] === next) g = k;
    }
    if (g >= 0) {
      for (const p of (info.phrases as readonly (readonly PhraseRest[])[])[g] as readonly PhraseRest[]) {
        const { rest } = p;
        if (i + rest.length >= tokens.length) continue;
        let ok = true;
        for (let k = 0; ok && k < rest.length; k++) if ((tokens[i + 1 + k] as Token).phraseWord !== rest[k]) ok = false;
        if (!ok) continue;
        last[p.concept] = at;
        this.check(p.rules, at, base, sentenceStart, sentence);
      }
    }
    if (info.rules.length > 0) this.check(info.rules, at, base, sentenceStart, sentence);
  }

  private check(rules: Int32Array, at: number, base: number, sentenceStart: number, sentence: number): void {
    const { checkedAt, firedAt, missing, window, messageScope, last } = this;
    // The hit counts change only when a rule fires (below), so the cap is read again only then.
    if (this.openCount + this.messageCount + this.taken >= MAX_HITS) return;
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k] as number;
      if (checkedAt[r] === at) continue;
      checkedAt[r] = at;
      const message = messageScope[r] === 1;
      const start = message ? base : sentenceStart;
      if ((firedAt[r] as number) >= start) continue;
      const lo = Math.max(start, at - (window[r] as number) + 1);
      const miss = missing[r] as number;
      if (miss >= 0 && (last[miss] as number) < lo) continue;
      if (!this.satisfied(r, lo)) continue;
      firedAt[r] = start;
      if (message) {
        this.messageRules[this.messageCount++] = r;
        this.messageRules[this.messageCount++] = sentence;
      } else {
        this.openRules[this.openCount++] = r;
        this.openRules[this.openCount++] = sentence;
      }
      if (this.openCount + this.messageCount + this.taken >= MAX_HITS) return;
    }
  }

  /** Moves the sentence's fired rules to `hits` unless one of their `unless` concepts occurred in it. */
  private closeSentence(sentence: number, sentenceStart: number, hits: CooccurHit[]): void {
    for (let k = 0; k < this.openCount; k += 2) {
      const r = this.openRules[k] as number;
      if (!this.vetoed(r, sentenceStart)) hits.push({ rule: r, sentence });
    }
    this.taken += this.openCount;
    this.openCount = 0;
  }

  /** True when rule r's concepts are all in the window from `lo` (see {@link check}); else notes one missing. */
  private satisfied(r: number, lo: number): boolean {
    const { last } = this;
    const rule = this.rules[r] as CompiledRule;
    let prev = -1;
    for (let k = 0; k < rule.all.length; k++) {
      const at = last[rule.all[k] as number] as number;
      if (at < lo) {
        this.missing[r] = rule.all[k] as number;
        return false;
      }
      // Ordered: each concept's latest occurrence comes after the previous one's (an approximation that
      // may miss "A B A", never accepts a wrong order).
      if (rule.ordered) {
        if (at <= prev) return false;
        prev = at;
      }
    }
    if (rule.any === null) return true;
    for (let k = 0; k < rule.any.length; k++) if ((last[rule.any[k] as number] as number) >= lo) return true;
    return false;
  }

  /** True when one of the rule's `unless` concepts was seen at or after `start` (its sentence or message). */
  private vetoed(r: number, start: number): boolean {
    const unless = (this.rules[r] as CompiledRule).unless;
    if (unless === null) return false;
    for (let k = 0; k < unless.length; k++) if ((this.last[unless[k] as number] as number) >= start) return true;
    return false;
  }
}

/** Groups phrases by their second word (`rest[0]`), keeping their order within each group. */
function byNextWord<P extends Phrase>(phrases: readonly P[]): Map<string, P[]> {
  const groups = new Map<string, P[]>();
  for (const p of phrases) {
    const next = p.rest[0] as string;
    const list = groups.get(next);
    if (list) list.push(p);
    else groups.set(next, [p]);
  }
  return groups;
}
