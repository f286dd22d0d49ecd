/**
 * Where the screen's labelled data lives, and the one reader the trainer may use.
 *
 * - `data/safeguarding/train/`: lines the rules were written against and the learned layer trains on.
 * - `data/safeguarding/eval/`: older blind sets, evaluation only (never trained on; see its README).
 * - `data/safeguarding/blind/`: blind sets written before reading the screen's errors; evaluation only.
 *
 * {@link readTrainingLines} refuses any file outside `train/` (resolved through symbolic links), so a training run
 * cannot read an evaluation set by accident; evaluation (scripts/evaluate-screen.ts) runs in its own process after
 * the model file is written, so its figures cannot feed back into the threshold the trainer chooses.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ROOT = path.resolve(__dirname, '../..');
export const DATA_DIR = path.join(ROOT, 'data/safeguarding');
export const TRAIN_DIR = path.join(DATA_DIR, 'train');
export const EVAL_DIR = path.join(DATA_DIR, 'eval');
export const BLIND_DIR = path.join(DATA_DIR, 'blind');
/** Ordinary chat: trained on, but not counted in the false-alarm rate that sets the threshold. */
export const EVERYDAY = 'everyday.jsonl';

const lineSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  text: z.string(),
  alert: z.boolean(),
  category: z.string().nullable(),
});

/** One labelled line: `alert` is the truth; `category` the expected category of an alert (a kind for the rest). */
export type Labelled = z.output<typeof lineSchema>;

/** A labelled line for the trainer: everyday chat is marked `easy` (see train.ts). */
export interface TrainingLine extends Labelled {
  easy?: boolean;
}

/** A labelled line file is wrong; the message names the file and line. */
export class LabelledDataError extends Error {
  override readonly name = 'LabelledDataError';
  readonly code = 'LABELLED_DATA_INVALID';
}

/**
 * Reads one labelled JSON-lines file, validating every line.
 * @throws LabelledDataError naming the file and line that is wrong.
 */
export function readLabelled(file: string): Labelled[] {
  const out: Labelled[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      if (l.trim() === '') return;
      let data: unknown;
      try {
        data = JSON.parse(l);
      } catch {
        throw new LabelledDataError(`${path.basename(file)} line ${i + 1}: not JSON`);
      }
      const parsed = lineSchema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LabelledDataError(
          `${path.basename(file)} line ${i + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`,
        );
      }
      out.push(parsed.data);
    });
  return out;
}

/** True when `file` (resolved, links followed) lies inside `dir`. */
function inside(dir: string, file: string): boolean {
  const rel = path.relative(realpathSync(dir), realpathSync(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The trainer's only way in: every `*.jsonl` file in `dir` (default `data/safeguarding/train/`), in name order.
 * @throws LabelledDataError when `dir` is not the training folder or a file in it resolves outside it (a link
 * into eval/ or blind/), so evaluation data cannot reach a training run.
 */
export function readTrainingLines(dir = TRAIN_DIR): TrainingLine[] {
  if (realpathSync(dir) !== realpathSync(TRAIN_DIR)) {
    throw new LabelledDataError(`the trainer reads only ${path.relative(ROOT, TRAIN_DIR)}/, not ${dir}`);
  }
  const lines: TrainingLine[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const file = path.join(dir, name);
    if (!inside(TRAIN_DIR, file)) {
      throw new LabelledDataError(
        `${name} resolves outside ${path.relative(ROOT, TRAIN_DIR)}/; refusing to train on it`,
      );
    }
    for (const line of readLabelled(file)) lines.push(name === EVERYDAY ? { ...line, easy: true } : line);
  }
  return lines;
}

/** The evaluation sets: every `*.jsonl` in eval/ and blind/ (name order), as [label, file]. */
export function evaluationFiles(): [string, string][] {
  const out: [string, string][] = [];
  for (const dir of [EVAL_DIR, BLIND_DIR]) {
    if (!existsSync(dir)) continue;
    const names = readdirSync(dir);
    for (const n of names.filter((x) => x.endsWith('.jsonl')).sort()) {
      out.push([`${path.basename(dir)}/${n}`, path.join(dir, n)]);
    }
  }
  return out;
}
