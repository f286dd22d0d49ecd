import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../common/errors';
import type { GroupWords } from '../../domain/groups/texts';
import bundled from './content.json';

const line = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(400, 'must be at most 400 characters (it is read on a phone)');
const list = z.object({
  intro: line,
  points: z.array(line).min(1, 'must have at least one point').max(12, 'must have at most 12 points'),
});

/** What young people read before a group session, as staff may edit it (GROUP_CONTENT_PATH). */
export const groupContentSchema = z.object({
  version: z.literal(1),
  /** The online-safety talk. */
  safetyTalk: list,
  /** The expectations list. */
  expectations: list,
  /** The first session's note: ground rules are set together. */
  groundRules: line,
  /** Said with the link. */
  linkNote: line,
});
export type GroupContent = z.infer<typeof groupContentSchema>;

/** A bad group content file: the message names each bad entry; Haven refuses to start. */
export class GroupContentError extends ConfigError {
  constructor(source: string, problems: string[]) {
    super(problems);
    this.message = `Haven cannot start: the group content in ${source} is wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

/** Loads the staff-edited file at `path`, or the bundled content; throws {@link GroupContentError}. */
export function loadGroupContent(path?: string): GroupContent {
  const source = path ?? 'the bundled groups content.json';
  let raw: unknown = bundled;
  if (path) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new GroupContentError(source, [`cannot read it as JSON: ${(err as Error).message}`]);
    }
  }
  const parsed = groupContentSchema.safeParse(raw);
  if (!parsed.success)
    throw new GroupContentError(
      source,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    );
  return parsed.data;
}

/** The content as the plain-text blocks the group service sends. */
export function groupWords(c: GroupContent): GroupWords {
  const block = (l: { intro: string; points: string[] }) => [l.intro, ...l.points.map((p) => `• ${p}`)].join('\n');
  return {
    safetyTalk: block(c.safetyTalk),
    expectations: block(c.expectations),
    groundRules: c.groundRules,
    linkNote: c.linkNote,
  };
}
