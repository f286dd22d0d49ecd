import { CooccurMatcher } from './cooccur';
import { loadLexicon, type Lexicon } from './lexicon';
import { Matcher, type Hit } from './matcher';
import { defaultModel, type ScreenModel } from './model';
import { tokenise } from './normalise';
import { hasLetter, type Token } from './token';
import { TokenTable } from './token-table';
import { CATEGORIES, SEVERITIES, type Category, type Screen, type ScreenResult, type Severity } from './types';
import { Vocabulary } from './vocabulary';

/** A fresh "no alert" result (callers may keep or change it). */
const noAlert = (): ScreenResult => ({ alert: false, category: null, severity: null, matched: [] });
const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));
const CATEGORY_RANK = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]));

/** A lexicon compiled for screening: its vocabulary (for repairs) and its matcher. */
export interface CompiledLexicon {
  lexicon: Lexicon;
  vocabulary: Vocabulary;
  matcher: Matcher;
  /** The concept co-occurrence layer, consulted when no phrase entry raised an alert. */
  cooccur: CooccurMatcher;
  /** The interned tokens every layer reads (see token.ts). */
  tokens: TokenTable;
}

/** Compiles a validated lexicon (vocabulary + one combined token automaton). */
export function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  const matcher = new Matcher(lexicon);
  const cooccur = new CooccurMatcher(lexicon.concepts, lexicon.cooccur);
  const aliases = new Map<string, readonly string[]>();
  // Concept words are matched exactly on the repaired tokens; they are not repair targets (a wide concept
  // list would pull everyday words such as "checked" towards "chucked").
  const words = new Set<string>([...matcher.words, ...lexicon.words]);
  for (const [from, to] of Object.entries(lexicon.aliases)) {
    const target = to.split(' ');
    aliases.set(from, target);
    for (const w of target) words.add(w);
  }
  for (const list of Object.values(lexicon.groups)) for (const w of list) words.add(w);
  const tokens = new TokenTable(matcher, cooccur);
  const vocabulary = new Vocabulary({ words, aliases, protect: lexicon.protect, weights: matcher.weights }, tokens);
  return { lexicon, vocabulary, matcher, cooccur, tokens };
}

/**
 * Creates the safeguarding screen for a lexicon. The screen is synchronous and pure (same text, same result):
 * normalise → repair against the lexicon's vocabulary → match every pattern in one pass → decide.
 * Decision: `weak` topic entries hidden by a `mask` in the same sentence are dropped; `escalate` entries make
 * alerts of their categories urgent; the most severe alert wins, ties broken by category order (suicide first).
 * When no phrase entry raises an alert, the concept co-occurrence rules (`cooccur` in lexicon.json, see cooccur.ts)
 * are consulted: they never mask a phrase match, skip sentences a global mask marks as topic talk, and do not
 * re-raise a category whose phrase alert a mask hid in that sentence; the most severe wins, ties by rule order.
 * When the rules raise nothing, the learned layer (model.ts, `options.model`, default the bundled model.json) may
 * alert: P(not none) ≥ its threshold, the model's top category, `matched: ["model.<category>"]`; a category whose
 * phrase alert a mask hid as figurative, or a message that is all topic talk, is vetoed (see {@link modelResult}).
 * `matched` lists entry or rule ids (most severe first), never the young person's words.
 */
export function createScreen(lexicon: Lexicon, options: ScreenOptions = {}): Screen {
  const analyse = createTokenAnalyser(lexicon);
  const model = options.model === undefined ? defaultModel() : options.model;
  const threshold = options.threshold ?? model?.threshold ?? 1;
  return {
    screen(text: string): ScreenResult {
      const analysis = analyse(text);
      if (analysis.result || !model) return analysis.result ?? noAlert();
      return modelResult(model, threshold, analysis) ?? noAlert();
    },
  };
}

/** Options for {@link createScreen}. */
export interface ScreenOptions {
  /** The learned layer consulted when the rules do not alert: default the bundled model; `null` for rules only. */
  model?: ScreenModel | null;
  /** P(not none) from which the model alerts; default the model's own (chosen by cross-validation). */
  threshold?: number;
}

/** What the rules made of one message, and what the learned layer needs. */
export interface Analysis {
  /** The rules' alert, or null when they raised none. */
  result: ScreenResult | null;
  /** The repaired tokens. */
  tokens: readonly string[];
  /** Categories the rules judged figurative or topic talk here: a phrase alert of theirs was hidden by a mask. */
  vetoed: ReadonlySet<Category>;
  /** True when every sentence is topic talk or a definition (a mask for all categories). */
  vetoAll: boolean;
}

const NO_VETO: ReadonlySet<Category> = new Set();
/** Fewest words a message needs before the learned layer may alert on it. */
export const MIN_MODEL_WORDS = 4;

/** True when a message has too few words for the learned layer (the screen and the trainer's CV agree on it). */
export function tooShortForModel(tokens: readonly string[]): boolean {
  return countWords(tokens) < MIN_MODEL_WORDS;
}

/** How many tokens hold a letter a–z. */
function countWords(tokens: readonly string[]): number {
  let n = 0;
  for (const t of tokens) if (hasLetter(t)) n++;
  return n;
}

/** {@link tooShortForModel} for interned tokens. */
function tooFewWords(tokens: readonly Token[]): boolean {
  let n = 0;
  for (let i = 0; i < tokens.length && n < MIN_MODEL_WORDS; i++) if ((tokens[i] as Token).word) n++;
  return n < MIN_MODEL_WORDS;
}

const HIGH_CATEGORIES: ReadonlySet<Category> = new Set(['suicide', 'self_harm', 'abuse_sexual', 'neglect_danger']);

/**
 * The learned layer's alert for a message the rules let through, or null: alert when P(not none) ≥ threshold and
 * the rules' masks do not veto the model's category. Severity `medium`, or `high` for suicide, self_harm,
 * abuse_sexual and neglect_danger at P ≥ the model's `highThreshold`; `matched` is `["model.<category>"]`.
 */
function modelResult(model: ScreenModel, threshold: number, analysis: TokenAnalysis): ScreenResult | null {
  // Short messages ("stop", "2", "join K7PQ-M3XR") are the rules' alone: too little evidence for a
  // learned guess, and most of what young people send a chatbot is short.
  if (analysis.vetoAll || tooFewWords(analysis.tokens)) return null;
  const { pAlert, category } = model.classifyTokens
    ? model.classifyTokens(analysis.tokens)
    : model.classify(analysis.tokens.map((t) => t.text));
  if (pAlert < threshold || analysis.vetoed.has(category)) return null;
  const severity: Severity = HIGH_CATEGORIES.has(category) && pAlert >= model.highThreshold ? 'high' : 'medium';
  return { alert: true, category, severity, matched: [`model.${category}`] };
}

/**
 * The rules' half of the screen (see {@link createScreen}): for one message, the rules' alert (or null), the
 * repaired tokens and the masks' vetoes for the learned layer. Used by the trainer (the screen reads the same
 * analysis over interned tokens).
 */
export function createAnalyser(lexicon: Lexicon): (text: string) => Analysis {
  const analyse = createTokenAnalyser(lexicon);
  return (text: string): Analysis => {
    const a = analyse(text);
    return { result: a.result, tokens: a.tokens.map((t) => t.text), vetoed: a.vetoed, vetoAll: a.vetoAll };
  };
}

/** An {@link Analysis} whose tokens are the interned records every layer shares. */
interface TokenAnalysis extends Omit<Analysis, 'tokens'> {
  tokens: readonly Token[];
}

const NO_TOKENS: readonly Token[] = Object.freeze([]);

/**
 * The rules' half of the screen over interned tokens. A message with no phrase hit (most of them) goes straight to
 * the co-occurrence layer and allocates no per-message sets or maps.
 */
function createTokenAnalyser(lexicon: Lexicon): (text: string) => TokenAnalysis {
  const compiled = compileLexicon(lexicon);
  const { entries } = lexicon;
  const rules = lexicon.cooccur;

  /** The co-occurrence layer's alerts, for a message with no phrase hits (so no masks, vetoes or escalations). */
  function cooccurOnly(tokens: readonly Token[]): TokenAnalysis {
    const found = compiled.cooccur.run(tokens);
    if (found.length === 0) return { result: null, tokens, vetoed: NO_VETO, vetoAll: false };
    const alerts: Alert[] = [];
    for (const hit of found) {
      const rule = rules[hit.rule];
      if (rule)
        alerts.push({ id: rule.id, category: rule.category, severity: rule.severity, order: hit.rule, entry: -1 });
    }
    if (alerts.length === 0) return { result: null, tokens, vetoed: NO_VETO, vetoAll: false };
    alerts.sort(byRuleOrder);
    return { result: finish(alerts, []), tokens, vetoed: NO_VETO, vetoAll: false };
  }

  return function analyse(text: string): TokenAnalysis {
    if (typeof text !== 'string' || text.length === 0) {
      return { result: null, tokens: NO_TOKENS, vetoed: NO_VETO, vetoAll: true };
    }
    const tokens = compiled.vocabulary.repairTokens(tokenise(text));
    const hits = compiled.matcher.run(tokens);
    if (hits.length === 0) return cooccurOnly(tokens);
    // Per sentence: categories whose weak entries are hidden (null = all), and ids hidden outright. Each set is
    // made only when a hit needs it (most messages have none of them).
    let masked: Map<number, Set<Category> | null> | null = null;
    let hidden: Map<number, (readonly string[])[]> | null = null;
    let escalate: Set<Category> | null = null;
    for (const hit of hits) {
      const entry = entries[hit.entry];
      if (!entry) continue;
      if (entry.kind === 'mask') {
        if (entry.entries) {
          hidden = hide(hidden, hit.sentence, entry.entries);
          continue;
        }
        masked ??= new Map();
        const prior = masked.get(hit.sentence);
        if (!entry.categories || prior === null) masked.set(hit.sentence, null);
        else masked.set(hit.sentence, new Set([...(prior ?? []), ...entry.categories]));
      } else if (entry.kind === 'escalate') {
        escalate ??= new Set();
        for (const c of entry.categories ?? CATEGORIES) escalate.add(c);
      } else if (entry.supersedes) {
        hidden = hide(hidden, hit.sentence, entry.supersedes);
      }
    }
    const alerts: Alert[] = [];
    // Sentence:category pairs where a phrase alert was hidden as figurative or topic talk: the co-occurrence
    // layer does not raise them again.
    let suppressed: Set<string> | null = null;
    for (let order = 0; order < hits.length; order++) {
      const hit = hits[order] as Hit;
      const entry = entries[hit.entry];
      if (!entry || entry.kind !== 'alert' || !entry.category || !entry.severity) continue;
      if (hidden !== null && isHidden(hidden, hit.sentence, entry.id)) {
        (suppressed ??= new Set()).add(`${hit.sentence}:${entry.category}`);
        continue;
      }
      if (entry.weak && masked !== null && masked.has(hit.sentence)) {
        const cats = masked.get(hit.sentence);
        if (cats === null || cats?.has(entry.category)) {
          (suppressed ??= new Set()).add(`${hit.sentence}:${entry.category}`);
          continue;
        }
      }
      // One alert per entry (hits are per entry and sentence): a repeat is a later sentence's.
      if (alerts.some((a) => a.entry === hit.entry)) continue;
      const severity: Severity = escalate?.has(entry.category) ? 'urgent' : entry.severity;
      alerts.push({ id: entry.id, category: entry.category, severity, order, entry: hit.entry });
    }
    if (alerts.length === 0) {
      // Second layer: concept co-occurrence, only when no phrase entry raised an alert.
      for (const hit of compiled.cooccur.run(tokens)) {
        const rule = rules[hit.rule];
        if (!rule) continue;
        // Only masks for every category (topic talk, definitions) apply: the narrower phrase masks were written
        // for particular phrase entries, and the rules carry their own `unless` concepts.
        if (masked?.get(hit.sentence) === null) continue;
        if (suppressed !== null && suppressed.has(`${hit.sentence}:${rule.category}`)) continue;
        const severity: Severity = escalate?.has(rule.category) ? 'urgent' : rule.severity;
        alerts.push({ id: rule.id, category: rule.category, severity, order: hit.rule, entry: -1 });
      }
      if (alerts.length === 0) {
        let vetoed = NO_VETO;
        if (suppressed !== null) {
          const cats = new Set<Category>();
          for (const key of suppressed) cats.add(key.slice(key.indexOf(':') + 1) as Category);
          vetoed = cats;
        }
        let sentences = 1;
        for (const t of tokens) if (t.boundary) sentences++;
        let topicTalk = 0;
        if (masked !== null) for (const cats of masked.values()) if (cats === null) topicTalk++;
        return { result: null, tokens, vetoed, vetoAll: topicTalk >= sentences };
      }
      // Among co-occurrence rules, the lexicon's order breaks ties (not the category order).
      alerts.sort(byRuleOrder);
      return { result: finish(alerts, hits), tokens, vetoed: NO_VETO, vetoAll: false };
    }
    alerts.sort(byCategoryOrder);
    return { result: finish(alerts, hits), tokens, vetoed: NO_VETO, vetoAll: false };
  };

  function finish(alerts: readonly Alert[], hits: readonly Hit[]): ScreenResult {
    const escalators: string[] = [];
    const top = alerts[0] as Alert;
    const matched = alerts.map((a) => a.id);
    if (top.severity === 'urgent') {
      for (const hit of hits) {
        const entry = entries[hit.entry];
        if (entry?.kind === 'escalate' && (entry.categories ?? CATEGORIES).includes(top.category)) {
          if (!escalators.includes(entry.id)) escalators.push(entry.id);
        }
      }
    }
    return { alert: true, category: top.category, severity: top.severity, matched: [...matched, ...escalators] };
  }
}

/** Records that the entry ids in `ids` are hidden in a sentence (the map is made on first use). */
function hide(
  hidden: Map<number, (readonly string[])[]> | null,
  sentence: number,
  ids: readonly string[],
): Map<number, (readonly string[])[]> {
  const map = hidden ?? new Map<number, (readonly string[])[]>();
  const lists = map.get(sentence);
  if (lists) lists.push(ids);
  else map.set(sentence, [ids]);
  return map;
}

/** True when {@link hide} hid the entry id in that sentence. */
function isHidden(hidden: ReadonlyMap<number, (readonly string[])[]>, sentence: number, id: string): boolean {
  const lists = hidden.get(sentence);
  return lists !== undefined && lists.some((ids) => ids.includes(id));
}

/** Most severe first, then the lexicon's order (co-occurrence rules). */
function byRuleOrder(a: Alert, b: Alert): number {
  return (SEVERITY_RANK.get(a.severity) ?? 9) - (SEVERITY_RANK.get(b.severity) ?? 9) || a.order - b.order;
}

/** Most severe first, then the category order (suicide first), then the order found (phrase entries). */
function byCategoryOrder(a: Alert, b: Alert): number {
  return (
    (SEVERITY_RANK.get(a.severity) ?? 9) - (SEVERITY_RANK.get(b.severity) ?? 9) ||
    (CATEGORY_RANK.get(a.category) ?? 99) - (CATEGORY_RANK.get(b.category) ?? 99) ||
    a.order - b.order
  );
}

interface Alert {
  id: string;
  category: Category;
  severity: Severity;
  order: number;
  /** The phrase entry's index, or −1 for a co-occurrence rule. */
  entry: number;
}

let cached: Screen | undefined;

/** The screen over the bundled lexicon, built once and reused. */
export function defaultScreen(): Screen {
  cached ??= createScreen(loadLexicon());
  return cached;
}

let cachedVocabulary: Vocabulary | undefined;

/**
 * The text as the screen reads it: folded, tokenised and repaired against the bundled lexicon's vocabulary,
 * tokens joined by single spaces (a sentence boundary shows as ".").
 * e.g. `normalise("I want to K!LL myseeeelf")` → `"i want to kill myself"`.
 */
export function normalise(text: string): string {
  cachedVocabulary ??= compileLexicon(loadLexicon()).vocabulary;
  return cachedVocabulary.repair(tokenise(text)).join(' ');
}
