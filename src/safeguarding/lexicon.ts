import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundledLexicon from './lexicon.json';
import { checkConceptTerm, CooccurError, MAX_RULE_CONCEPTS, MAX_WINDOW } from './cooccur';
import { groupSets, isLiteralToken, parsePatternOnce, PatternError } from './pattern';
import { CATEGORIES, SEVERITIES } from './types';
import { HavenError } from '../common/errors';

const entrySchema = z
  .object({
    /** Stable name reported in `matched`, e.g. `suicide.kill_myself`. */
    id: z.string().regex(/^[a-z0-9_.:-]+$/, 'id must be lower-case letters, digits, _ . : -'),
    /**
     * `alert` raises an alert; `mask` hides `weak` alerts in the same sentence (topic talk); `escalate` makes alerts
     * in the same or a neighbouring sentence urgent; `context` says a sentence tells of the past, something resolved,
     * someone else's story or a negation, and clears every alert in it (rules and learned layer) unless a `present`
     * entry matches in the same sentence (a present-tense disclosure is never silenced), or in the next one when the
     * entry has `next`; `past` says a sentence tells of something long ago ("two years ago", "when i was little"):
     * an alert there is at most `high`, since urgent means danger now, unless a `present` entry matches in it too.
     * A mask's `entries` may name an `escalate` entry: it then makes nothing urgent in that sentence.
     * `helped` says someone has acted or help was had (therapy, the police, a refuge), and `over` that it is over and
     * good now ("its so much calmer now", "im doing ok"): in a message holding both, a sentence told as long ago
     * (`past`) with the help told in it or the next sentence is cleared as a `context` cue clears it, unless a
     * `present` entry matches anywhere in the message
     * ("when i was 10 my dad hit me. social services got involved and were doing good now" is over; "... but hes back"
     * or "... he still shouts" is not). Help alone is not enough: "i get support from young carers" is everyone here.
     */
    kind: z.enum(['alert', 'mask', 'escalate', 'context', 'present', 'past', 'helped', 'over']).default('alert'),
    category: z.enum(CATEGORIES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    /**
     * For `mask`/`escalate`: which categories it acts on (default all). For `context`: a denial of one kind of harm
     * ("im not going to kill myself") clears only alerts of these categories in its sentence, and keeps the learned
     * layer from filing the message under them, so "im not suicidal but my stepdad hits me" still alerts.
     */
    categories: z.array(z.enum(CATEGORIES)).min(1).optional(),
    /**
     * For `mask`: hide exactly these entry ids in the sentence: alerts (weak or not), e.g. "die of embarrassment", or
     * escalations ("help me find a job" is not a plea in danger).
     */
    entries: z.array(z.string()).min(1).optional(),
    /**
     * For `context`: a present-tense cue in the next sentence keeps the alert too. For a story told as over ("the
     * police dealt with it. hes started again"), not for a denial ("im not suicidal. i just feel rubbish right now").
     */
    next: z.boolean().optional(),
    /** A bare topic word ("suicide", "grooming"): a `mask` in the same sentence hides it. */
    weak: z.boolean().optional(),
    /** For `alert`: ids of entries this one replaces when both match in one sentence ("told me to kill myself"). */
    supersedes: z.array(z.string()).optional(),
    patterns: z.array(z.string().min(1, 'pattern is empty')).min(1, 'needs at least one pattern'),
    note: z.string().optional(),
  })
  .strict();

const conceptRef = z.string().regex(/^@[a-z_]+$/, 'a concept is named "@name"');

const cooccurSchema = z
  .object({
    /** Stable name reported in `matched`, e.g. `cooccur.suicide.self_death_intent`. */
    id: z.string().regex(/^[a-z0-9_.:-]+$/, 'id must be lower-case letters, digits, _ . : -'),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    /** Concepts that must all occur within `window` tokens. */
    all: z.array(conceptRef).min(1, 'needs at least one concept in "all"'),
    /** At least one of these must also occur within the window. */
    any: z.array(conceptRef).min(1).optional(),
    /** Any of these anywhere in the sentence (message) cancels the rule (figurative talk, games, lessons). */
    unless: z.array(conceptRef).min(1).optional(),
    /** Widest span, in tokens, holding one occurrence of each concept. */
    window: z.number().int().min(2).max(MAX_WINDOW),
    /** `sentence` (default): all within one sentence; `message`: the window may cross sentence boundaries. */
    scope: z.enum(['sentence', 'message']).default('sentence'),
    /** The `all` concepts must occur in the order listed ("he … hit … me", not "my … hit … he"). */
    ordered: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();

const lexiconSchema = z
  .object({
    version: z.literal(1),
    /** Named word groups, used in patterns as `@name`. */
    groups: z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(1)).min(1)),
    /** One token → the words it stands for ("killmyself" → "kill myself"). */
    aliases: z.record(z.string(), z.string().min(1)).default({}),
    /** Real words never corrected into a lexicon word by the typo tolerance. */
    protect: z.array(z.string()).default([]),
    /** Extra words the repairs may use (spacing, run-together words), beyond the patterns' own. */
    words: z.array(z.string()).default([]),
    entries: z.array(entrySchema).min(1),
    /** Named concept word sets for the co-occurrence layer: words, `stem*`, phrases `no+food`. */
    concepts: z.record(z.string().regex(/^[a-z_]+$/), z.array(z.string().min(1)).min(1)).default({}),
    /** Co-occurrence rules over concepts: the second, wider layer (see cooccur.ts). */
    cooccur: z.array(cooccurSchema).default([]),
  })
  .strict();

/** One validated co-occurrence rule. */
export type CooccurRule = z.output<typeof cooccurSchema>;
/** One validated lexicon entry. */
export type LexiconEntry = z.output<typeof entrySchema>;
/** A validated lexicon, ready for `createScreen`. */
export type Lexicon = z.output<typeof lexiconSchema>;

/** A lexicon file that cannot be used; the message names the entry (index, id, term) and the reason. */
export class LexiconError extends HavenError {
  constructor(message: string) {
    super(message, 'LEXICON_INVALID', { permanent: true });
  }
}

function describeEntry(raw: unknown, index: number, term?: string): string {
  const entries = (raw as { entries?: unknown[] } | null)?.entries;
  const entry = Array.isArray(entries)
    ? (entries[index] as { id?: unknown; patterns?: unknown } | undefined)
    : undefined;
  const id = typeof entry?.id === 'string' ? entry.id : '?';
  const first = Array.isArray(entry?.patterns) && typeof entry.patterns[0] === 'string' ? entry.patterns[0] : '?';
  return `entry ${index} (id "${id}", term "${term ?? first}")`;
}

/**
 * Validates lexicon data (already parsed JSON) and returns it typed.
 * @param source names the file in error messages.
 * @throws LexiconError naming the entry (index, id, term) that is wrong and why.
 */
export function parseLexicon(data: unknown, source = 'lexicon'): Lexicon {
  const fail = (where: string, why: string): never => {
    throw new LexiconError(`Invalid safeguarding lexicon ${source}: ${where}: ${why}`);
  };
  const parsed = lexiconSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const where =
      path[0] === 'entries' && typeof path[1] === 'number'
        ? `${describeEntry(data, path[1])}${path.length > 2 ? ` field "${path.slice(2).join('.')}"` : ''}`
        : path[0] === 'cooccur' && typeof path[1] === 'number'
          ? `${describeRule(data, path[1])}${path.length > 2 ? ` field "${path.slice(2).join('.')}"` : ''}`
          : path.length > 0
            ? `field "${path.join('.')}"`
            : 'file';
    return fail(where, issue?.message ?? 'invalid');
  }
  const lexicon = parsed.data;
  for (const [name, words] of Object.entries(lexicon.groups)) {
    for (const w of words) if (!isLiteralToken(w)) fail(`group "${name}"`, `"${w}" is not a single normalised token`);
  }
  // The matcher reads the same map, so the patterns parsed here are not parsed again (see parsePatternOnce).
  const groups = groupSets(lexicon.groups);
  for (const [from, to] of Object.entries(lexicon.aliases)) {
    if (!isLiteralToken(from)) fail(`alias "${from}"`, 'the alias must be a single normalised token');
    for (const w of to.split(' ')) if (!isLiteralToken(w)) fail(`alias "${from}"`, `"${w}" is not a normalised token`);
  }
  const ids = new Set<string>();
  const allIds = new Set(lexicon.entries.map((e) => e.id));
  lexicon.entries.forEach((entry, index) => {
    if (entry.entries && entry.kind !== 'mask') fail(describeEntry(data, index), '"entries" is only for mask entries');
    if (entry.next && entry.kind !== 'context') fail(describeEntry(data, index), '"next" is only for context entries');
    if (entry.categories && !['mask', 'escalate', 'context'].includes(entry.kind)) {
      fail(describeEntry(data, index), '"categories" is only for mask, escalate and context entries');
    }
    for (const other of [...(entry.supersedes ?? []), ...(entry.entries ?? [])]) {
      if (!allIds.has(other)) fail(describeEntry(data, index), `names unknown id "${other}"`);
    }
    const where = (term?: string): string => describeEntry(data, index, term);
    if (ids.has(entry.id)) fail(where(), `duplicate id "${entry.id}"`);
    ids.add(entry.id);
    if (entry.kind === 'alert') {
      if (!entry.category) fail(where(), 'an alert entry needs a "category"');
      if (!entry.severity) fail(where(), 'an alert entry needs a "severity"');
      if (entry.categories) fail(where(), '"categories" is only for mask, escalate and context entries');
    } else {
      if (entry.category || entry.severity || entry.weak) {
        fail(where(), `a ${entry.kind} entry takes "categories", not "category", "severity" or "weak"`);
      }
    }
    for (const pattern of entry.patterns) {
      try {
        parsePatternOnce(pattern, groups);
      } catch (err) {
        if (err instanceof PatternError) fail(where(pattern), err.message);
        throw err;
      }
    }
  });
  for (const [name, terms] of Object.entries(lexicon.concepts)) {
    for (const term of terms) {
      try {
        checkConceptTerm(term);
      } catch (err) {
        if (err instanceof CooccurError) fail(`concept "${name}" term "${term}"`, err.message);
        throw err;
      }
    }
  }
  lexicon.cooccur.forEach((rule, index) => {
    const where = describeRule(data, index);
    if (ids.has(rule.id)) fail(where, `duplicate id "${rule.id}"`);
    ids.add(rule.id);
    const used = [...rule.all, ...(rule.any ?? []), ...(rule.unless ?? [])];
    for (const ref of used) {
      if (!Object.hasOwn(lexicon.concepts, ref.slice(1))) fail(where, `names unknown concept "${ref}"`);
    }
    if (rule.all.length + (rule.any ? 1 : 0) < 2) fail(where, 'needs at least two concepts ("all", or "all" + "any")');
    if (used.length > MAX_RULE_CONCEPTS) fail(where, `uses more than ${MAX_RULE_CONCEPTS} concepts`);
  });
  return lexicon;
}

function describeRule(raw: unknown, index: number): string {
  const rules = (raw as { cooccur?: unknown[] } | null)?.cooccur;
  const rule = Array.isArray(rules) ? (rules[index] as { id?: unknown } | undefined) : undefined;
  return `cooccur rule ${index} (id "${typeof rule?.id === 'string' ? rule.id : '?'}")`;
}

/**
 * Loads and validates a lexicon file.
 * @param path a JSON file in lexicon.json's format (the `SAFEGUARDING_LEXICON_PATH` setting); default: the bundled lexicon.
 * @throws LexiconError when the file cannot be read, is not JSON, or an entry is invalid (named by index, id and term).
 */
export function loadLexicon(path?: string): Lexicon {
  if (path === undefined) return parseLexicon(bundledLexicon, 'lexicon.json (bundled)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LexiconError(`Cannot read safeguarding lexicon ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new LexiconError(`Safeguarding lexicon ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseLexicon(data, path);
}
