import { z } from 'zod';
import { CooccurMatcher } from './cooccur';
import dictionaryWords from './dictionary-words.json';
import { loadLexicon, type Lexicon, type LexiconEntry } from './lexicon';
import { Matcher, type Hit } from './matcher';
import { defaultModel, MODEL_CLASSES, type ModelVerdict, type ScreenModel } from './model';
import { BOUNDARY, tokenise } from './normalise';
import { keptTokens, modelPieces, type PieceToken } from './pieces';
import { hasLetter, type Token } from './token';
import { TokenTable } from './token-table';
import {
  CATEGORIES,
  MAX_SCREEN_CHARS,
  SEVERITIES,
  type Category,
  type Screen,
  type ScreenResult,
  type Severity,
} from './types';
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

/**
 * Real English words the repair step keeps as written (src/safeguarding/dictionary-words.json, made by
 * scripts/protect-words.ts): "raised" is not a misspelling of a word for rape, nor "treat" of "threat".
 */
export const DICTIONARY_WORDS: readonly string[] = z
  .object({ words: z.array(z.string().regex(/^[a-z]+$/)) })
  .parse(dictionaryWords).words;

/**
 * Compiles a validated lexicon (vocabulary + one combined token automaton). `dictionaryWords` are protected from
 * repair beside the lexicon's own `protect` list (default {@link DICTIONARY_WORDS}).
 */
export function compileLexicon(
  lexicon: Lexicon,
  { dictionaryWords: protectedWords = DICTIONARY_WORDS }: { dictionaryWords?: readonly string[] } = {},
): CompiledLexicon {
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
  const protect = [...lexicon.protect, ...protectedWords];
  const vocabulary = new Vocabulary({ words, aliases, protect, weights: matcher.weights }, tokens);
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
 * alert: P(not none) ≥ its threshold, the model's top category, `matched: ["model.<category>", "model.score:0.87"]`; a category whose
 * phrase alert a mask hid as figurative, or a message that is all topic talk, is vetoed (see {@link modelResult}).
 * `matched` lists entry or rule ids (most severe first), never the young person's words.
 */
export function createScreen(lexicon: Lexicon, options: ScreenOptions = {}): Screen {
  const analyse = createTokenAnalyser(lexicon);
  const model = options.model === undefined ? defaultModel() : options.model;
  const threshold = options.threshold ?? model?.threshold ?? 1;
  // Entries that supersede others were written to tell two harms apart ("not to die, just to feel something" is
  // self-harm; a young person's own boyfriend hitting them is relationship abuse): their category stands.
  const decides = new Set(lexicon.entries.filter((e) => e.supersedes).map((e) => e.id));
  const screenPiece = (text: string): ScreenResult => {
    const analysis = analyse(text);
    if (analysis.result) {
      const top = analysis.result.matched[0] as string;
      return model && !decides.has(top) ? refiled(model, analysis.result, analysis.tokens) : analysis.result;
    }
    if (!model) return noAlert();
    return modelResult(model, threshold, analysis) ?? noAlert();
  };
  return {
    screen(text: string): ScreenResult {
      if (typeof text !== 'string' || text.length <= MAX_SCREEN_CHARS) return screenPiece(text);
      // The whole text, in pieces the size the screen reads at once (see textPieces): the worst piece wins.
      let worst: ScreenResult | null = null;
      for (const piece of textPieces(text)) {
        const r = screenPiece(piece);
        if (r.alert && (worst === null || moreSevere(r, worst))) worst = r;
      }
      return worst ?? noAlert();
    },
  };
}

/** Characters each piece of a long text repeats from the one before, so a phrase across a cut is read whole. */
export const PIECE_OVERLAP = 512;

/**
 * A text longer than {@link MAX_SCREEN_CHARS} as pieces of at most that length, each starting
 * {@link PIECE_OVERLAP} characters before the previous one ended (at a space when there is one near), so every
 * part of the text is read and every phrase shorter than the overlap is read whole in some piece.
 */
export function textPieces(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    let end = Math.min(start + MAX_SCREEN_CHARS, text.length);
    if (end < text.length) {
      // Cut at the last space in the final 256 characters, if any (a word is not split).
      const space = text.lastIndexOf(' ', end);
      if (space > end - 256 && space > start) end = space;
    }
    out.push(text.slice(start, end));
    if (end >= text.length) return out;
    let next = end - PIECE_OVERLAP;
    const space = text.indexOf(' ', next);
    if (space >= 0 && space < end) next = space + 1;
    start = Math.max(next, start + 1);
  }
}

/** True when alert `a` outranks `b`: more severe, or as severe and earlier in the category order. */
function moreSevere(a: ScreenResult, b: ScreenResult): boolean {
  const sa = SEVERITY_RANK.get(a.severity as Severity) ?? 9;
  const sb = SEVERITY_RANK.get(b.severity as Severity) ?? 9;
  if (sa !== sb) return sa < sb;
  return (CATEGORY_RANK.get(a.category as Category) ?? 99) < (CATEGORY_RANK.get(b.category as Category) ?? 99);
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
  /** True when every sentence is topic talk, a definition, or cleared by a context cue. */
  vetoAll: boolean;
  /** Sentences a context cue cleared (past, resolved, someone else's story, negation): the model skips them. */
  cleared?: ReadonlySet<number>;
}

const NO_VETO: ReadonlySet<Category> = new Set();
const NO_SENTENCES: ReadonlySet<number> = new Set();
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

/**
 * Share of the learned layer's belief among the categories (P(category) / P(not none)) from which it refiles a rule's
 * alert, and the most it may give the rules' category for that: chosen on validation sets D and E, where refiling at
 * (0.8, 0.1) put 15 alerts in the right category and 2 in a wrong one (H, read after: 10 and 2).
 */
export const REFILE_SHARE = 0.8;
export const REFILE_RULES_SHARE = 0.1;

/**
 * A rule alert filed where the learned layer, reading the whole message, is sure it belongs. A phrase names one
 * harm ("kill myself", "knife"), but the message around it may be about another: "theres a group chat voting on how
 * i should kill myself" is bullying, "they said theyll stab me if i snitch" is a threat to make a child carry, "were
 * flying to the village and theyve taken my passport" forced marriage. When the model gives one category at least
 * {@link REFILE_SHARE} of its belief and the rules' category at most {@link REFILE_RULES_SHARE}, the alert is filed
 * under the model's category, with the rules' severity (how urgent it is, which the rules read) and their ids, and
 * `model.filed:<share>` added to `matched` so staff see why. Short messages stay the rules' (as for alerts), and so
 * does an alert whose top entry supersedes another (see createScreen), and an urgent one: the rules read a danger now,
 * and its harm is what the reply and staff must act on ("dad hits me. mum isnt breathing" is a parent not breathing,
 * whatever else the message is about).
 */
function refiled(model: ScreenModel, result: ScreenResult, tokens: readonly Token[]): ScreenResult {
  if (!model.probabilitiesOfTokens || result.severity === 'urgent' || tooFewWords(tokens)) return result;
  const p = model.probabilitiesOfTokens(tokens);
  const alert = 1 - (p[0] as number);
  if (!(alert > 0)) return result;
  let best = 1;
  for (let c = 2; c < p.length; c++) if ((p[c] as number) > (p[best] as number)) best = c;
  const category = MODEL_CLASSES[best] as Category;
  const share = (p[best] as number) / alert;
  const rules = (p[MODEL_CLASSES.indexOf(result.category as Category)] ?? 1) / alert;
  if (category === result.category || share < REFILE_SHARE || rules > REFILE_RULES_SHARE) return result;
  return { ...result, category, matched: [...result.matched, `model.filed:${share.toFixed(2)}`] };
}

const HIGH_CATEGORIES: ReadonlySet<Category> = new Set(['suicide', 'self_harm', 'abuse_sexual', 'neglect_danger']);

/**
 * The learned layer's alert for a message the rules let through, or null (see {@link modelChoice}). Severity
 * `medium`, or `high` for suicide, self_harm, abuse_sexual and neglect_danger at P ≥ the model's `highThreshold`;
 * `matched` is `["model.<category>", "model.score:<P(not none), two decimals>"]` (the score is shown to staff as
 * the reason).
 */
function modelResult(model: ScreenModel, threshold: number, analysis: TokenAnalysis): ScreenResult | null {
  // Short messages ("stop", "2", "join K7PQ-M3XR") are the rules' alone: too little evidence for a
  // learned guess, and most of what young people send a chatbot is short.
  if (tooFewWords(analysis.tokens)) return null;
  const cleared = analysis.cleared ?? null;
  const [masked, whole] = modelVerdicts(analysis, (vetoed) => classifyPieces(model, analysis.tokens, vetoed, cleared));
  const chosen = modelChoice(analysis, masked, whole, threshold, model.highThreshold);
  if (chosen === null) return null;
  const gate = model.pieceGate ?? 0;
  if (gate > 0 && !passesPieceGate(analysis.tokens, cleared, gate, (t) => one(model, t))) return null;
  const { pAlert, category } = chosen;
  const severity: Severity = HIGH_CATEGORIES.has(category) && pAlert >= model.highThreshold ? 'high' : 'medium';
  return { alert: true, category, severity, matched: [`model.${category}`, `model.score:${pAlert.toFixed(2)}`] };
}

/**
 * The two verdicts {@link modelChoice} weighs, from `classify` (the model's verdict leaving out the categories
 * given): with the masks' vetoes (null when every sentence is topic talk), and without them (null when there are
 * none, so a message no mask touched is scored once). Shared by the screen and the trainer's cross-validation.
 */
export function modelVerdicts(
  analysis: { vetoAll: boolean; vetoed: ReadonlySet<Category> },
  classify: (vetoed: ReadonlySet<Category>) => ModelVerdict,
): [masked: ModelVerdict | null, whole: ModelVerdict | null] {
  return [
    analysis.vetoAll ? null : classify(analysis.vetoed),
    analysis.vetoAll || analysis.vetoed.size > 0 ? classify(NO_VETO) : null,
  ];
}

/**
 * What the learned layer decides, given its verdicts (shared by the screen and the trainer's cross-validation):
 * - `masked`: the verdict with the categories the rules' masks vetoed left out (null when every sentence is topic
 *   talk, `vetoAll`); it alerts at P(not none) ≥ `threshold`;
 * - `whole`: the verdict without the vetoes (null when there are none). A mask (a lesson, a game, "it was the cat")
 *   hides a weak phrase word; it does not silence a model that is as sure as a high alert needs (P ≥ `override`,
 *   the model's `highThreshold`): "she keeps asking about the marks on my wrist and i said it was the cat" alerts.
 * Sentences a context cue cleared (past, resolved, negated, someone else's) are never read by either.
 */
export function modelChoice(
  analysis: { vetoAll: boolean; vetoed: ReadonlySet<Category> },
  masked: ModelVerdict | null,
  whole: ModelVerdict | null,
  threshold: number,
  override: number,
): ModelVerdict | null {
  if (!analysis.vetoAll && masked !== null && masked.pAlert >= threshold && !analysis.vetoed.has(masked.category)) {
    return masked;
  }
  if (whole !== null && whole.pAlert >= Math.max(threshold, override)) return whole;
  return null;
}

/** The model's verdict on interned tokens (the texts for a model without `classifyTokens`). */
const one = (model: ScreenModel, part: readonly Token[]): ModelVerdict =>
  model.classifyTokens ? model.classifyTokens(part) : model.classify(part.map((t) => t.text));

/**
 * The piece gate (shared by the screen and the trainer's cross-validation): a message read in pieces (see pieces.ts)
 * may alert on its worst piece only when the whole message, less the sentences a context cue cleared, scores
 * P(not none) ≥ `gate`. Each piece is read without the rest, so the more pieces a message has, the more chances an
 * ordinary sentence has to look like a disclosure on its own ("ngl ive been thinking about my future a lot" in a
 * message about uni); the whole message, which the model is trained on too (long lines set in chat), says whether
 * it reads as a concern. The gate is chosen by cross-validation so that held-out long lines lose (almost) no recall.
 * True for a message scored whole (one piece).
 */
export function passesPieceGate<T extends PieceToken>(
  tokens: readonly T[],
  cleared: ReadonlySet<number> | null,
  gate: number,
  score: (tokens: readonly T[]) => ModelVerdict,
): boolean {
  const whole = gateReading(tokens, cleared);
  return whole === null || score(whole).pAlert >= gate;
}

/** What the piece gate scores: the message less its cleared sentences; null for a message scored whole (one piece). */
export function gateReading<T extends PieceToken>(
  tokens: readonly T[],
  cleared: ReadonlySet<number> | null,
): readonly T[] | null {
  const pieces = modelPieces(tokens, cleared);
  if (pieces.length === 2 && pieces[0] === 0 && pieces[1] === tokens.length) return null;
  return keptTokens(tokens, cleared);
}

/**
 * The model's verdict on a message read in pieces (see pieces.ts): the piece with the highest P(not none) whose
 * category the rules did not veto; the whole message when it is one piece.
 */
export function classifyPieces(
  model: ScreenModel,
  tokens: readonly Token[],
  vetoed: ReadonlySet<Category> = NO_VETO,
  cleared: ReadonlySet<number> | null = null,
): ModelVerdict {
  const pieces = modelPieces(tokens, cleared);
  if (pieces.length === 2 && pieces[0] === 0 && pieces[1] === tokens.length) return one(model, tokens);
  let best: ModelVerdict = { pAlert: 0, category: CATEGORIES[0] };
  for (let p = 0; p < pieces.length; p += 2) {
    const v = one(model, tokens.slice(pieces[p] as number, pieces[p + 1] as number));
    if (vetoed.has(v.category)) continue;
    if (v.pAlert > best.pAlert) best = v;
  }
  return best;
}

/** {@link classifyPieces} over token texts (the trainer's cross-validation). */
export function classifyTextPieces(
  model: ScreenModel,
  tokens: readonly string[],
  vetoed: ReadonlySet<Category> = NO_VETO,
  cleared: ReadonlySet<number> | null = null,
): ModelVerdict {
  const records = tokens.map((text) => ({ text, boundary: text === BOUNDARY, word: hasLetter(text) }));
  const pieces = modelPieces(records, cleared);
  let best: ModelVerdict = { pAlert: 0, category: CATEGORIES[0] };
  for (let p = 0; p < pieces.length; p += 2) {
    const v = model.classify(tokens.slice(pieces[p] as number, pieces[p + 1] as number));
    if (vetoed.has(v.category)) continue;
    if (v.pAlert > best.pAlert) best = v;
  }
  return best;
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
    return {
      result: a.result,
      tokens: a.tokens.map((t) => t.text),
      vetoed: a.vetoed,
      vetoAll: a.vetoAll,
      ...(a.cleared ? { cleared: a.cleared } : {}),
    };
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
        alerts.push({
          id: rule.id,
          category: rule.category,
          severity: rule.severity,
          order: hit.rule,
          entry: -1,
          sentence: hit.sentence,
        });
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
    // Per category, the sentences holding an escalation cue.
    let escalate: Map<Category, Set<number>> | null = null;
    // Sentences told as past, resolved, someone else's or negated; and sentences with a present-tense cue.
    let context: Set<number> | null = null;
    let present: Set<number> | null = null;
    // Sentences whose context cue a present-tense cue in the next sentence also undoes.
    let reopen: Set<number> | null = null;
    // Sentences told as long ago: no alert there is urgent unless a present-tense cue is in it too.
    let past: Set<number> | null = null;
    // Denials of one kind of harm (a context entry with `categories`), cleared per sentence and category.
    let denied: Hit[] | null = null;
    // Whether the message says someone acted or help was had, and that it is over now (`helped`, `over`).
    let helped: Set<number> | null = null;
    let over = false;
    // Escalation hits, applied once every mask has been read (a mask may name an escalation entry).
    let escalations: Hit[] | null = null;
    for (const hit of hits) {
      const entry = entries[hit.entry];
      if (!entry) continue;
      if (entry.kind === 'context' && entry.categories) {
        (denied ??= []).push(hit);
      } else if (entry.kind === 'context') {
        (context ??= new Set()).add(hit.sentence);
        if (entry.next) (reopen ??= new Set()).add(hit.sentence);
      } else if (entry.kind === 'present') (present ??= new Set()).add(hit.sentence);
      else if (entry.kind === 'past') (past ??= new Set()).add(hit.sentence);
      else if (entry.kind === 'helped') (helped ??= new Set()).add(hit.sentence);
      else if (entry.kind === 'over') over = true;
    }
    // A context cue clears its sentence unless a present-tense cue is in it, or, for a story told as over (`next`),
    // in the next sentence ("the police dealt with it. now the same man is messaging me").
    let cleared: Set<number> | null = null;
    if (context !== null)
      for (const s of context) {
        if (present?.has(s) || (reopen?.has(s) && present?.has(s + 1))) continue;
        (cleared ??= new Set()).add(s);
      }
    // Per sentence, the categories a denial there clears (unless a present-tense cue is in the sentence).
    let deniedAt: Map<number, Set<Category>> | null = null;
    if (denied !== null)
      for (const hit of denied) {
        if (present?.has(hit.sentence)) continue;
        deniedAt ??= new Map();
        const cats = deniedAt.get(hit.sentence) ?? new Set<Category>();
        for (const c of (entries[hit.entry] as LexiconEntry).categories ?? []) cats.add(c);
        deniedAt.set(hit.sentence, cats);
      }
    // Something long ago that help has since dealt with, told with nothing still going on anywhere in the message.
    // The help must be told with the harm (its sentence or the next): help for something else told earlier ("i get
    // support from young carers for mum. my stepdad used to hit me") is not it.
    if (helped !== null && over && past !== null && present === null)
      for (const s of past) if (helped.has(s) || helped.has(s + 1)) (cleared ??= new Set()).add(s);
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
        if (!cleared?.has(hit.sentence)) (escalations ??= []).push(hit);
      } else if (entry.kind !== 'alert') {
        continue;
      } else if (entry.supersedes) {
        hidden = hide(hidden, hit.sentence, entry.supersedes);
      }
    }
    // The escalation hits that apply (`finish` names them when they make the alert urgent).
    const applied: Hit[] = [];
    if (escalations !== null) {
      for (const hit of escalations) {
        const entry = entries[hit.entry] as LexiconEntry;
        if (hidden !== null && isHidden(hidden, hit.sentence, entry.id)) continue;
        applied.push(hit);
        escalate ??= new Map();
        for (const c of entry.categories ?? CATEGORIES) {
          const at = escalate.get(c) ?? new Set<number>();
          at.add(hit.sentence);
          escalate.set(c, at);
        }
      }
    }
    /** True unless the sentence is told as long ago with no present-tense cue in it. */
    const live = (s: number): boolean => past === null || !past.has(s) || present?.has(s) === true;
    /**
     * An alert's severity in a sentence: urgent with an escalation cue in it or a neighbouring sentence (not three
     * sentences away: urgency is about danger now) that is not told as long ago ("two years ago he hit me. hes here
     * now" is urgent), and an entry's own urgency only when its sentence is not long ago ("two years ago mum
     * overdosed" is high).
     */
    const severityAt = (severity: Severity, category: Category, sentence: number): Severity => {
      const at = escalate?.get(category);
      if (at !== undefined) {
        for (let s = sentence - 1; s <= sentence + 1; s++) if (at.has(s) && live(s)) return 'urgent';
      }
      return severity === 'urgent' && !live(sentence) ? 'high' : severity;
    };
    const alerts: Alert[] = [];
    // Sentence:category pairs where a phrase alert was hidden as figurative or topic talk: the co-occurrence
    // layer does not raise them again.
    let suppressed: Set<string> | null = null;
    for (let order = 0; order < hits.length; order++) {
      const hit = hits[order] as Hit;
      const entry = entries[hit.entry];
      if (!entry || entry.kind !== 'alert' || !entry.category || !entry.severity) continue;
      if (
        (cleared !== null && cleared.has(hit.sentence)) ||
        (hidden !== null && isHidden(hidden, hit.sentence, entry.id)) ||
        deniedAt?.get(hit.sentence)?.has(entry.category) === true
      ) {
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
      const severity = severityAt(entry.severity, entry.category, hit.sentence);
      alerts.push({
        id: entry.id,
        category: entry.category,
        severity,
        order,
        entry: hit.entry,
        sentence: hit.sentence,
      });
    }
    if (alerts.length === 0) {
      // Second layer: concept co-occurrence, only when no phrase entry raised an alert.
      for (const hit of compiled.cooccur.run(tokens)) {
        const rule = rules[hit.rule];
        if (!rule) continue;
        // Only masks for every category (topic talk, definitions) apply: the narrower phrase masks were written
        // for particular phrase entries, and the rules carry their own `unless` concepts.
        if (masked?.get(hit.sentence) === null) continue;
        if (cleared !== null && cleared.has(hit.sentence)) continue;
        if (deniedAt?.get(hit.sentence)?.has(rule.category) === true) continue;
        if (suppressed !== null && suppressed.has(`${hit.sentence}:${rule.category}`)) continue;
        const severity = severityAt(rule.severity, rule.category, hit.sentence);
        alerts.push({
          id: rule.id,
          category: rule.category,
          severity,
          order: hit.rule,
          entry: -1,
          sentence: hit.sentence,
        });
      }
      if (alerts.length === 0) {
        let vetoed = NO_VETO;
        if (suppressed !== null || deniedAt !== null) {
          const cats = new Set<Category>();
          if (suppressed !== null) for (const key of suppressed) cats.add(key.slice(key.indexOf(':') + 1) as Category);
          // A denied harm is not the learned layer's to file either ("im not going to kill myself dont worry").
          if (deniedAt !== null) for (const at of deniedAt.values()) for (const c of at) cats.add(c);
          vetoed = cats;
        }
        let sentences = 1;
        for (const t of tokens) if (t.boundary) sentences++;
        let quiet = 0;
        // The learned layer does not read a denial either (it reads "not going to kill myself" as a plan): the
        // sentences it skips are the cleared ones and those holding a denial.
        let unread = cleared;
        if (deniedAt !== null) {
          unread = new Set(cleared);
          for (const s of deniedAt.keys()) unread.add(s);
        }
        if (masked !== null) for (const [s, cats] of masked) if (cats === null && !unread?.has(s)) quiet++;
        if (unread !== null) quiet += unread.size;
        return { result: null, tokens, vetoed, vetoAll: quiet >= sentences, cleared: unread ?? NO_SENTENCES };
      }
      // Among co-occurrence rules, the lexicon's order breaks ties (not the category order).
      alerts.sort(byRuleOrder);
      return { result: finish(alerts, applied), tokens, vetoed: NO_VETO, vetoAll: false };
    }
    alerts.sort(byCategoryOrder);
    return { result: finish(alerts, applied), tokens, vetoed: NO_VETO, vetoAll: false };
  };

  function finish(alerts: readonly Alert[], hits: readonly Hit[]): ScreenResult {
    const escalators: string[] = [];
    const top = alerts[0] as Alert;
    const matched = alerts.map((a) => a.id);
    if (top.severity === 'urgent') {
      for (const hit of hits) {
        const entry = entries[hit.entry];
        if (
          entry?.kind === 'escalate' &&
          (entry.categories ?? CATEGORIES).includes(top.category) &&
          Math.abs(hit.sentence - top.sentence) <= 1
        ) {
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
  /** The sentence it was found in. */
  sentence: number;
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
