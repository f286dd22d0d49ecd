/**
 * The learned layer of the safeguarding screen: a multinomial logistic-regression classifier (13 classes: `none`
 * plus every category in types.ts) over hashed features of the screen's own repaired tokens — unigrams, bigrams,
 * skip-bigrams (one token between), the first five letters of tokens of seven letters or more, and the character
 * 4-grams of tokens of four characters or more (so "suicidle" shares four of its six with "suicidal", and a word the
 * training lines never used still has something to go on), each hashed into 2^18 buckets; only non-zero weights are
 * stored. The screen consults it only when the hand-written rules do not alert (see `createScreen`): it alerts when
 * P(not none) ≥ the stored threshold, with the model's top category.
 *
 * Retrain with `npm run train:screen` (scripts/train-screen.ts, code in scripts/screen/train.ts): it reads only
 * data/safeguarding/train/*.jsonl, is deterministic (fixed seed, full-batch training), runs a 5-fold
 * cross-validation to choose the threshold (the model's held-out false alarms ≤ 0.065 of hard negatives), then trains
 * on everything and writes model.json. Never train or tune on the blind or shared dev sets: they are the honest test.
 *
 * Cross-validation at the chosen threshold T = 0.55 (7,304 distinct lines, 2,940 alerts, plus 6,974 long versions set
 * in chat, each held out with its source line; 5 stratified folds, seed 20240611, held-out scores from the exported
 * rounded model, long messages scored in pieces as the screen does; T = the smallest step where the model's own
 * held-out false alarms are ≤ 0.065, a recall-first budget on the hardest lines: the hard negatives include 1,564
 * lines written to share words with disclosures and 474 that read like a disclosure and are not; see
 * `targetFalseAlarm` in scripts/screen/train.ts for why 0.065): model alone recall 0.865, false alarms 0.056, category
 * 0.907; rules + model recall 0.959, false alarms 0.081, category 0.919 (the rules were written on these files, so that
 * is a fit figure); held-out long lines recall 0.900, false alarms 0.185. The evaluation sets are the honest measure
 * (`npm run evaluate:screen`).
 *
 * Scoring is pure, synchronous and linear in the text: a token's own features (itself, its prefix, its 4-grams) are
 * looked up once per distinct token and their sum kept on the interned token, so each token then costs that sum and
 * the look-ups of its two pairs.
 */
import { z } from 'zod';
import bundledModel from './model.json';
import { BOUNDARY } from './normalise';
import { hasLetter, type Token } from './token';
import { CATEGORIES, type Category } from './types';
import { HavenError } from '../common/errors';

/** The model's classes, in weight order: `none` first, then the categories. */
export const MODEL_CLASSES = ['none', ...CATEGORIES] as const;
/**
 * The scorer's unrolled loop (`accumulate13` in {@link compileModel}) adds exactly 13 classes: a category added or
 * removed fails the build here, until that loop is written for the new count.
 */
const THIRTEEN_CLASSES: 13 = MODEL_CLASSES.length;
/** Names the feature extraction below; a model file for another feature set is refused. */
export const FEATURE_SET = 'uni+bi+skip+pre5+char4/fnv1a-fmix32/v2';

/** A model file that cannot be used; the message says which part is wrong and why. */
export class ModelError extends HavenError {
  constructor(message: string) {
    super(message, 'MODEL_INVALID', { permanent: true });
  }
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const modelSchema = z
  .object({
    version: z.literal(1),
    /** The feature extraction the weights were trained for ({@link FEATURE_SET}). */
    features: z.string(),
    /** Features are hashed into 2^hashBits buckets (at most 2^20: the compiled model indexes them directly). */
    hashBits: z.number().int().min(8).max(20),
    classes: z.array(z.string()),
    /** Alert when P(not none) is at least this (chosen by cross-validation). */
    threshold: finite.refine((t) => t > 0 && t < 1, 'must be between 0 and 1'),
    /** For suicide, self_harm, abuse_sexual and neglect_danger: severity `high` from this P(not none). */
    highThreshold: finite.refine((t) => t > 0 && t <= 1, 'must be in (0, 1]'),
    /**
     * A message read in pieces alerts on its worst piece only when the whole message scores at least this
     * (chosen by cross-validation; 0 or absent: no gate). See the screen's `modelResult`.
     */
    pieceGate: finite.refine((t) => t >= 0 && t < 1, 'must be in [0, 1)').optional(),
    bias: z.array(finite),
    /**
     * One row per kept bucket: `[bucket, class, weight, class, weight, …]`. Each value is checked by
     * {@link parseModel} (integer bucket and classes in range, finite weights), not number by number here: zod
     * took most of a second's start-up over half a million numbers.
     */
    rows: z.array(z.custom<number[]>((row) => Array.isArray(row), 'each row must be an array')),
    /** What the trainer measured (documentation only). */
    cv: z.record(z.string(), z.unknown()).optional(),
    trainedOn: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * {@link modelSchema} with `rows` read as one array, not row by row (zod's pass over some 76,000 rows and the copy of
 * the array it made were a good part of `haven screen`'s start-up); {@link parseModel} checks that each row is an
 * array, and when anything is wrong modelSchema reads the data again, so the message is the one it always gave.
 */
const quickSchema = modelSchema.extend({ rows: z.custom<number[][]>((rows) => Array.isArray(rows)) });

/** A validated model file. */
export type ModelFile = z.output<typeof modelSchema>;

/** The model's verdict on one message. */
export interface ModelVerdict {
  /** P(not none): one minus the probability of `none`. */
  pAlert: number;
  /** The most probable category (never `none`). */
  category: Category;
}

/** A compiled model, ready to score token streams. */
export interface ScreenModel {
  readonly threshold: number;
  readonly highThreshold: number;
  /** The whole message's fewest P(not none) for a message read in pieces to alert (0: none); see modelResult. */
  readonly pieceGate?: number;
  /** Class probabilities (in {@link MODEL_CLASSES} order) for repaired tokens. */
  probabilities(tokens: readonly string[]): Float64Array;
  /** P(not none) and the top category for repaired tokens. */
  classify(tokens: readonly string[]): ModelVerdict;
  /** {@link classify} for interned tokens (the screen's own path; a model without it is given the texts). */
  classifyTokens?(tokens: readonly Token[]): ModelVerdict;
  /** {@link probabilities} for interned tokens (a fresh array). */
  probabilitiesOfTokens?(tokens: readonly Token[]): Float64Array;
}

/**
 * Validates model data (already parsed JSON) and returns it typed.
 * @throws ModelError naming the field or row that is wrong and why.
 */
export function parseModel(data: unknown, source = 'model'): ModelFile {
  const fail = (where: string, why: string): never => {
    throw new ModelError(`Invalid safeguarding model ${source}: ${where}: ${why}`);
  };
  const quick = quickSchema.safeParse(data);
  const rowsOk = quick.success && quick.data.rows.every((row) => Array.isArray(row));
  const parsed = rowsOk ? quick : modelSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    return fail(path.length > 0 ? `field "${path.join('.')}"` : 'file', issue?.message ?? 'invalid');
  }
  const model = parsed.data;
  if (model.features !== FEATURE_SET) {
    fail('field "features"', `"${model.features}" is not this code's feature set "${FEATURE_SET}" (retrain)`);
  }
  if (model.classes.length !== MODEL_CLASSES.length || model.classes.some((c, i) => c !== MODEL_CLASSES[i])) {
    fail('field "classes"', `must be exactly ${MODEL_CLASSES.join(', ')} (retrain)`);
  }
  const k = MODEL_CLASSES.length;
  if (model.bias.length !== k) fail('field "bias"', `needs ${k} numbers, one per class`);
  const buckets = 2 ** model.hashBits;
  const seen = new Uint8Array(buckets);
  model.rows.forEach((row, r) => {
    const where = (): string => `row ${r}`;
    const bucket = row[0];
    if (bucket === undefined || !Number.isInteger(bucket) || bucket < 0 || bucket >= buckets) {
      fail(where(), `bucket must be an integer in [0, ${buckets})`);
    }
    if (seen[bucket as number] === 1) fail(where(), `duplicate bucket ${bucket}`);
    seen[bucket as number] = 1;
    if (row.length < 3 || row.length % 2 === 0)
      fail(where(), 'must be [bucket, class, weight, …] with class/weight pairs');
    for (let j = 1; j < row.length; j += 2) {
      const c = row[j] as number;
      const w = row[j + 1] as number;
      if (!Number.isInteger(c) || c < 0 || c >= k) fail(where(), `class index ${c} is not in [0, ${k})`);
      if (!Number.isFinite(w)) fail(where(), `weight ${w} is not a finite number`);
    }
  });
  return model;
}

/** fmix32 (MurmurHash3's finaliser): spreads the bits of a 32-bit hash. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_UNI = 0x2545f491;
const SEED_BI = 0x6a09e667;
const SEED_SKIP = 0x3c6ef372;
const SEED_PRE = 0x510e527f;
const SEED_GRAM = 0x9b05688c;
/** Character n-grams of this length ({@link tokenGrams}), from tokens at least {@link GRAM_MIN} long. */
const GRAM = 4;
const GRAM_MIN = 4;
/** Tokens this long or longer also give their first {@link PREFIX} characters as a feature. */
const PREFIX_MIN = 7;
const PREFIX = 5;

/**
 * What the learned layer reads of one token: FNV-1a over its characters, the same hash after its first {@link PREFIX}
 * characters, whether it is long enough ({@link PREFIX_MIN}) to give that prefix as a feature, and its character
 * 4-grams ({@link tokenGrams}). Worked out once per distinct token (token.ts keeps it on an interned token);
 * {@link writeTokenFeatures} builds on it.
 */
export function tokenFeatures(tok: string): Omit<FeatureToken, 'boundary'> {
  let h = 0x811c9dc5;
  let pre = 0;
  const n = tok.length;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ tok.charCodeAt(i), 0x01000193);
    if (i === PREFIX - 1) pre = h;
  }
  return { hash: h, prefixHash: pre, long: n >= PREFIX_MIN, grams: tokenGrams(tok), vector: null, vectorOf: null };
}

/**
 * The learned layer's character {@link GRAM}-grams of one token, with `^` and `$` marking its ends, hashed (FNV-1a,
 * then fmix32 with their own seed; not yet masked to the model's buckets). None for tokens shorter than
 * {@link GRAM_MIN} or without a letter (their whole-token feature says enough). Worked out once per distinct token.
 */
export function tokenGrams(tok: string): Int32Array {
  const n = tok.length;
  if (n < GRAM_MIN || !hasLetter(tok)) return NO_GRAMS;
  const marked = `^${tok}$`;
  const out = new Int32Array(marked.length - GRAM + 1);
  for (let s = 0; s < out.length; s++) {
    let h = 0x811c9dc5;
    for (let i = s; i < s + GRAM; i++) h = Math.imul(h ^ marked.charCodeAt(i), 0x01000193);
    out[s] = fmix(h ^ SEED_GRAM);
  }
  return out;
}

const NO_GRAMS = new Int32Array(0);
/**
 * Verdicts the compiled model remembers (a power of two), and the shortest and longest token streams it remembers one
 * for: the windows of long messages (pieces.ts) are at least 16 words; most messages are shorter and scored afresh.
 */
const MEMO_SLOTS = 64;
const MEMO_MIN_TOKENS = 16;
const MEMO_TOKENS = 64;

// Each feature's hash, defined once: the trainer's features (writeTokenFeatures) and the scorer (compileModel) must
// agree bit for bit, or the model reads other buckets than it was trained on. Not yet masked to the model's buckets.
/** The token itself. */
const unigramHash = (h: number): number => fmix(h ^ SEED_UNI);
/** Its first {@link PREFIX} characters (tokens of {@link PREFIX_MIN} or more). */
const prefixFeatureHash = (prefixHash: number): number => fmix(prefixHash ^ SEED_PRE);
/** The token with its neighbour before it (`p1` that token's hash). */
const pairHash = (p1: number, h: number): number => fmix(Math.imul(p1, 0x9e3779b1) ^ h ^ SEED_BI);
/** The token with the one two before it (`p2` that token's hash). */
const skipHash = (p2: number, h: number): number => fmix(Math.imul(p2, 0x7f4a7c15) ^ h ^ SEED_SKIP);

/** Most feature buckets {@link writeTokenFeatures} writes for these tokens. */
function featureCapacity(tokens: readonly FeatureToken[]): number {
  let n = 4 * tokens.length;
  for (let t = 0; t < tokens.length; t++) n += (tokens[t] as FeatureToken).grams.length;
  return n;
}

/** What the learned layer reads of a token (an interned {@link Token} has it already), and its cached sum. */
type FeatureToken = Pick<Token, 'boundary' | 'hash' | 'prefixHash' | 'long' | 'grams' | 'vector' | 'vectorOf'>;

/** A record of a token text that is not interned (the trainer's path): its sum is worked out afresh each time. */
function featureToken(tok: string): FeatureToken {
  if (tok === BOUNDARY) {
    return { boundary: true, hash: 0, prefixHash: 0, long: false, grams: NO_GRAMS, vector: null, vectorOf: null };
  }
  return { boundary: false, ...tokenFeatures(tok) };
}

/**
 * Writes the hashed feature buckets of a token stream into `out` (capacity ≥ {@link featureCapacity}) and returns how
 * many (a feature may repeat: counts). Features: each token; each pair of neighbours and each pair one token apart,
 * within a sentence; the first five characters of long tokens; the character 4-grams of tokens of four characters or
 * more ({@link tokenGrams}). {@link BOUNDARY} tokens break the pairs and are not features themselves. Linear in the
 * text. The trainer's path ({@link featureBuckets}); the scorer adds the same features' weights directly.
 */
function writeTokenFeatures(tokens: readonly FeatureToken[], hashBits: number, out: Int32Array): number {
  const mask = 2 ** hashBits - 1;
  let p1 = 0;
  let p2 = 0;
  let k = 0;
  let at = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t] as Token;
    if (tok.boundary) {
      k = 0;
      continue;
    }
    const h = tok.hash;
    out[at++] = unigramHash(h) & mask;
    if (tok.long) out[at++] = prefixFeatureHash(tok.prefixHash) & mask;
    const grams = tok.grams;
    for (let g = 0; g < grams.length; g++) out[at++] = (grams[g] as number) & mask;
    if (k >= 1) out[at++] = pairHash(p1, h) & mask;
    if (k >= 2) out[at++] = skipHash(p2, h) & mask;
    p2 = p1;
    p1 = h;
    k++;
  }
  return at;
}

/** The hashed feature buckets of a repaired token stream, as an array (for the trainer). */
export function featureBuckets(tokens: readonly string[], hashBits: number): number[] {
  const records = tokens.map(featureToken);
  const out = new Int32Array(featureCapacity(records));
  return Array.from(out.subarray(0, writeTokenFeatures(records, hashBits, out)));
}

/** Compiles a validated model: each feature bucket's row offset in a direct table, and the dense weight rows. */
export function compileModel(model: ModelFile): ScreenModel {
  const k: number = THIRTEEN_CLASSES;
  // rowAt[bucket] = the bucket's row offset in `weight` (row × k), or −1 when the model kept no weights for it:
  // one read per feature, no probing (2^hashBits entries, 1 MB at today's 18 bits).
  const rowAt = new Int32Array(2 ** model.hashBits).fill(-1);
  const weight = new Float32Array(model.rows.length * k);
  model.rows.forEach((row, r) => {
    rowAt[row[0] as number] = r * k;
    for (let j = 1; j < row.length; j += 2) weight[r * k + (row[j] as number)] = row[j + 1] as number;
  });
  const bias = Float64Array.from(model.bias);
  const logits = new Float64Array(k);
  const mask = 2 ** model.hashBits - 1;
  /** This compiled model, as the owner of the sums it caches on interned tokens. */
  const owner = {};

  /**
   * The sum of the weights of a token's own features (itself, its prefix, its 4-grams), or null when the model
   * kept none of them. They are the same wherever the token stands, so an interned token keeps its sum (for this
   * model) and a repeated word costs one addition per class instead of a look-up per feature.
   */
  function tokenVector(tok: FeatureToken): Float64Array | null {
    if (tok.vectorOf === owner) return tok.vector;
    let vector: Float64Array | null = null;
    const add = (bucket: number): void => {
      const at = rowAt[bucket & mask] as number;
      if (at < 0) return;
      vector ??= new Float64Array(k);
      for (let c = 0; c < k; c++) vector[c] = (vector[c] as number) + (weight[at + c] as number);
    };
    add(unigramHash(tok.hash));
    if (tok.long) add(prefixFeatureHash(tok.prefixHash));
    for (let g = 0; g < tok.grams.length; g++) add(tok.grams[g] as number);
    tok.vector = vector;
    tok.vectorOf = owner;
    return vector;
  }

  /**
   * Softmax of the logits of a token stream, left in `logits` (reused between calls: scoring is synchronous): the
   * bias, then per token its own features' sum ({@link tokenVector}) and its pairs with the one or two tokens before
   * it in the sentence (the features {@link writeTokenFeatures} lists).
   */
  function score(tokens: readonly FeatureToken[]): Float64Array {
    accumulate13(tokens);
    let max = -Infinity;
    for (let c = 0; c < k; c++) if ((logits[c] as number) > max) max = logits[c] as number;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((logits[c] as number) - max);
      logits[c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) logits[c] = (logits[c] as number) / sum;
    return logits;
  }

  /** The row offsets of a token's pair features, given the hashes of the one and two tokens before it. */
  const pairRow = (p1: number, h: number): number => rowAt[pairHash(p1, h) & mask] as number;
  const skipRow = (p2: number, h: number): number => rowAt[skipHash(p2, h) & mask] as number;

  /**
   * The logits of a token stream, into `logits` (see {@link score}): the 13 classes each in a local variable, without
   * a store and load per class and feature. Per token: its own features' sum, then its skip pair, then its neighbour
   * pair. Written for exactly the 13 classes ({@link THIRTEEN_CLASSES} stops the build when the categories change).
   */
  function accumulate13(tokens: readonly FeatureToken[]): void {
    let l0 = bias[0] as number;
    let l1 = bias[1] as number;
    let l2 = bias[2] as number;
    let l3 = bias[3] as number;
    let l4 = bias[4] as number;
    let l5 = bias[5] as number;
    let l6 = bias[6] as number;
    let l7 = bias[7] as number;
    let l8 = bias[8] as number;
    let l9 = bias[9] as number;
    let l10 = bias[10] as number;
    let l11 = bias[11] as number;
    let l12 = bias[12] as number;
    let p1 = 0;
    let p2 = 0;
    let n = 0;
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t] as FeatureToken;
      if (tok.boundary) {
        n = 0;
        continue;
      }
      const h = tok.hash;
      const v = tokenVector(tok);
      if (v !== null) {
        l0 += v[0] as number;
        l1 += v[1] as number;
        l2 += v[2] as number;
        l3 += v[3] as number;
        l4 += v[4] as number;
        l5 += v[5] as number;
        l6 += v[6] as number;
        l7 += v[7] as number;
        l8 += v[8] as number;
        l9 += v[9] as number;
        l10 += v[10] as number;
        l11 += v[11] as number;
        l12 += v[12] as number;
      }
      // The skip pair (pair 2) when there is one, then the neighbour pair (pair 1).
      for (let pair = Math.min(n, 2); pair > 0; pair--) {
        const at = pair === 1 ? pairRow(p1, h) : skipRow(p2, h);
        if (at < 0) continue;
        l0 += weight[at + 0] as number;
        l1 += weight[at + 1] as number;
        l2 += weight[at + 2] as number;
        l3 += weight[at + 3] as number;
        l4 += weight[at + 4] as number;
        l5 += weight[at + 5] as number;
        l6 += weight[at + 6] as number;
        l7 += weight[at + 7] as number;
        l8 += weight[at + 8] as number;
        l9 += weight[at + 9] as number;
        l10 += weight[at + 10] as number;
        l11 += weight[at + 11] as number;
        l12 += weight[at + 12] as number;
      }
      p2 = p1;
      p1 = h;
      n++;
    }
    logits[0] = l0;
    logits[1] = l1;
    logits[2] = l2;
    logits[3] = l3;
    logits[4] = l4;
    logits[5] = l5;
    logits[6] = l6;
    logits[7] = l7;
    logits[8] = l8;
    logits[9] = l9;
    logits[10] = l10;
    logits[11] = l11;
    logits[12] = l12;
  }

  // The verdicts of the last few long token streams scored, by the hash of their tokens' hashes (one per slot). A long
  // message is scored in overlapping windows (pieces.ts), and a flood repeating a phrase gives the same windows again
  // and again; the screen may also score the same pieces twice (with and without the masks' vetoes). A remembered
  // verdict is used only for the very same interned tokens in the same order, so it is the one scoring would give.
  const memoTokens: FeatureToken[][] = Array.from({ length: MEMO_SLOTS }, () => []);
  const memoLength = new Int32Array(MEMO_SLOTS).fill(-1);
  const memoAlert = new Float64Array(MEMO_SLOTS);
  const memoCategory: Category[] = new Array<Category>(MEMO_SLOTS).fill(CATEGORIES[0]);

  function classifyTokens(tokens: readonly FeatureToken[]): ModelVerdict {
    const n = tokens.length;
    if (n < MEMO_MIN_TOKENS || n > MEMO_TOKENS) return verdict(score(tokens));
    let h = n;
    for (let t = 0; t < n; t++) h = Math.imul(h ^ (tokens[t] as FeatureToken).hash, 0x01000193);
    const slot = fmix(h) & (MEMO_SLOTS - 1);
    const kept = memoTokens[slot] as FeatureToken[];
    if (memoLength[slot] === n) {
      let same = true;
      for (let t = 0; same && t < n; t++) same = kept[t] === tokens[t];
      if (same) return { pAlert: memoAlert[slot] as number, category: memoCategory[slot] as Category };
    }
    const v = verdict(score(tokens));
    for (let t = 0; t < n; t++) kept[t] = tokens[t] as FeatureToken;
    memoLength[slot] = n;
    memoAlert[slot] = v.pAlert;
    memoCategory[slot] = v.category;
    return v;
  }

  function verdict(p: Float64Array): ModelVerdict {
    let best = 1;
    for (let c = 2; c < k; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    return { pAlert: 1 - (p[0] as number), category: MODEL_CLASSES[best] as Category };
  }

  return {
    threshold: model.threshold,
    highThreshold: model.highThreshold,
    pieceGate: model.pieceGate ?? 0,
    probabilities: (tokens) => score(tokens.map(featureToken)).slice(),
    classify: (tokens) => verdict(score(tokens.map(featureToken))),
    classifyTokens,
    probabilitiesOfTokens: (tokens) => score(tokens).slice(),
  };
}

/**
 * Loads and validates a model: the bundled model.json by default, or already-parsed data.
 * @throws ModelError when the data is not a usable model (the message says why).
 */
export function loadModel(data: unknown = bundledModel, source = 'model.json (bundled)'): ScreenModel {
  return compileModel(parseModel(data, source));
}

let cached: ScreenModel | undefined;

/** The bundled model, validated and compiled once. */
export function defaultModel(): ScreenModel {
  cached ??= loadModel();
  return cached;
}
