import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../common/errors';
import { MEETING_PLATFORMS, MEETING_PLATFORM_NAMES, type MeetingPlatform } from '../../common/meeting';
import bundled from './content.json';

/** One line of text a young person reads on a phone: short, no placeholders other than those allowed. */
const line = (allowed: string[] = []) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(400, 'must be at most 400 characters (it is read on a phone)')
    .refine((s) => [...s.matchAll(/\{([^}]*)\}/g)].every((m) => allowed.includes(m[1] ?? '')), {
      message: allowed.length
        ? `may only use the placeholder${allowed.length > 1 ? 's' : ''} ${allowed.map((a) => `{${a}}`).join(', ')}`
        : 'must not contain {placeholders}',
    });

const id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'id must be lower-case letters, digits and dashes');
const point = z.object({ id, text: line() });
const pointIds = z.array(id).min(1, 'must list at least one point id');

const platform = z.object({ tip: line(), points: pointIds.optional() });

/** The charity's online-safety policy in a young person's words, as staff may edit it. */
export const safetyContentSchema = z
  .object({
    version: z.literal(1),
    /** The short version given with the first welcome: two or three lines. */
    welcome: z.object({
      lines: z.array(line()).min(2, 'must have 2 or 3 lines').max(3, 'must have 2 or 3 lines (not a wall of text)'),
      /** Title of the choice that shows the whole list. */
      moreChoice: line().pipe(z.string().max(20, 'must be at most 20 characters (it is a button)')),
    }),
    /**
     * The whole list, given on request: the general tips first, then the rules for calls with a
     * youth worker (optional, under their own heading), then the group rules.
     */
    full: z.object({
      intro: line(),
      points: z.array(point).min(1),
      callsIntro: line().optional(),
      callPoints: z.array(point).min(1).optional(),
      groundRulesIntro: line(),
      groundRules: z.array(point).min(1),
      outro: line().optional(),
    }),
    /** For someone not seen for a long time. */
    refresher: z.object({ intro: line(), points: pointIds, outro: line().optional() }),
    /** With every arranged session: its confirmation and reminders. */
    session: z.object({
      intro: line(['platform']),
      points: pointIds,
      platforms: z.object(
        Object.fromEntries(MEETING_PLATFORMS.map((p) => [p, platform])) as Record<MeetingPlatform, typeof platform>,
      ),
    }),
  })
  .superRefine((c, ctx) => {
    const known = new Set<string>();
    const seen = (list: { id: string }[], field: 'points' | 'callPoints' | 'groundRules') =>
      list.forEach((p, i) => {
        if (known.has(p.id))
          ctx.addIssue({ code: 'custom', path: ['full', field, i, 'id'], message: `id "${p.id}" is used twice` });
        known.add(p.id);
      });
    seen(c.full.points, 'points');
    if (c.full.callPoints) seen(c.full.callPoints, 'callPoints');
    if (Boolean(c.full.callPoints) !== Boolean(c.full.callsIntro))
      ctx.addIssue({
        code: 'custom',
        path: ['full', c.full.callPoints ? 'callsIntro' : 'callPoints'],
        message: 'callsIntro and callPoints go together: give both or neither',
      });
    seen(c.full.groundRules, 'groundRules');
    const refs = (ids: string[] | undefined, path: (string | number)[]) =>
      ids?.forEach((ref, i) => {
        if (!known.has(ref))
          ctx.addIssue({ code: 'custom', path: [...path, i], message: `"${ref}" is not the id of any point in full` });
      });
    refs(c.refresher.points, ['refresher', 'points']);
    refs(c.session.points, ['session', 'points']);
    for (const p of MEETING_PLATFORMS) refs(c.session.platforms[p].points, ['session', 'platforms', p, 'points']);
  });

/** Validated online-safety content. */
export type SafetyContent = z.infer<typeof safetyContentSchema>;

/**
 * Thrown when a safety content file is unreadable or invalid; the message names each bad entry.
 * A {@link ConfigError}, so `haven start` prints just the message and exits 1.
 */
export class SafetyContentError extends ConfigError {
  constructor(
    readonly source: string,
    problems: string[],
  ) {
    super(problems);
    this.message = `Haven cannot start: the online-safety content in ${source} is wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

/**
 * Loads the online-safety content: the staff-edited file at `path` (the SAFETY_CONTENT_PATH
 * setting) or, with no path, the bundled default. Throws {@link SafetyContentError} naming every
 * bad entry (e.g. `full.points[4] (id "no-recording").text: must not be empty`), so Haven refuses
 * to start with a bad file.
 */
export function loadSafetyContent(path?: string): SafetyContent {
  const source = path ?? 'the bundled content.json';
  let raw: unknown = bundled;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new SafetyContentError(source, [
        `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      ]);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new SafetyContentError(source, [`not valid JSON: ${(err as Error).message}`]);
    }
  }
  const parsed = safetyContentSchema.safeParse(raw);
  if (!parsed.success)
    throw new SafetyContentError(
      source,
      parsed.error.issues.map((i) => describeIssue(raw, i)),
    );
  return parsed.data;
}

/** `full.points[4] (id "no-recording").text: must not be empty` */
function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  let where = '';
  let node: unknown = raw;
  for (const key of issue.path) {
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
    if (typeof key === 'number') {
      where += `[${key}]`;
      const entryId = node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (typeof entryId === 'string') where += ` (id "${entryId}")`;
    } else where += where ? `.${String(key)}` : String(key);
  }
  const message = node === undefined && issue.code === 'invalid_type' ? 'is missing' : issue.message;
  return `${where || '(file)'}: ${message}`;
}

/** The points with these ids, in the order given. */
export function pointsById(content: SafetyContent, ids: string[]): string[] {
  const all = [...content.full.points, ...(content.full.callPoints ?? []), ...content.full.groundRules];
  return ids.map((i) => all.find((p) => p.id === i)?.text).filter((t): t is string => Boolean(t));
}

/**
 * The online-safety words for an arranged session on `platform`, for its confirmation and the
 * reminders before it, e.g. "Before your Zoom chat, a few things to keep you safe: ...".
 */
export function sessionSafetyReminder(content: SafetyContent, platform: MeetingPlatform): string {
  const p = content.session.platforms[platform];
  const intro = content.session.intro.replaceAll('{platform}', MEETING_PLATFORM_NAMES[platform]);
  const points = pointsById(content, p.points ?? content.session.points);
  return [intro, ...[p.tip, ...points].map((t) => `• ${t}`)].join('\n');
}
