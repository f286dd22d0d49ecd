/**
 * Evaluation: the screen on lines it was never trained or tuned on (data/safeguarding/eval/ and blind/, which the
 * trainer cannot read, and the shared development set when present). The floors sit a little under the figures
 * measured when they were set, so they catch a regression; the figures themselves are printed by
 * `npm run evaluate:screen`. A set that is missing is reported as a skipped test named for it, never silently.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';
import { BLIND_DIR, EVAL_DIR, readLabelled } from '../../scripts/screen/data';
import { evaluate, summary } from '../../scripts/screen/evaluate';
import { devSetPath } from '../../scripts/evaluate-screen';

interface Floor {
  file: string;
  lines: number;
  recall: number;
  falseAlarms: number;
  category: number;
  /** Largest number of false alarms called urgent. */
  urgent: number;
}

// Floors just under the figures of the screen with character 4-grams (see data/safeguarding/README.md). The urgent
// counts keep today's urgent false alarms from growing; they do not accept them.
const SETS: Floor[] = [
  // The model retrained on 474 more everyday lines at the threshold 0.5 (chosen on the validation sets, see
  // `targetFalseAlarm` in scripts/screen/train.ts) raised false alarms on the older sets: blind2 15 -> 17 (and right
  // category 0.850 -> 0.830), blind3 7 -> 10, blind-2026-12b 23 -> 26, while the nine blind and eval sets together
  // missed 61 concerns instead of 69. Their floors were lowered for that trade, not to accept it.
  { file: path.join(EVAL_DIR, 'blind2.jsonl'), lines: 300, recall: 0.97, falseAlarms: 0.12, category: 0.82, urgent: 0 },
  { file: path.join(EVAL_DIR, 'blind3.jsonl'), lines: 240, recall: 0.94, falseAlarms: 0.09, category: 0.89, urgent: 1 },
  {
    file: path.join(BLIND_DIR, 'blind-2026-12.jsonl'),
    lines: 405,
    recall: 0.95,
    falseAlarms: 0.2,
    category: 0.84,
    urgent: 5,
  },
  {
    file: path.join(BLIND_DIR, 'blind-2026-12b.jsonl'),
    lines: 307,
    recall: 0.98,
    falseAlarms: 0.15,
    category: 0.86,
    urgent: 1,
  },
  {
    file: path.join(BLIND_DIR, 'blind-2026-12c.jsonl'),
    lines: 419,
    recall: 0.91,
    falseAlarms: 0.19,
    category: 0.83,
    urgent: 4,
  },
  {
    file: path.join(BLIND_DIR, 'own-2026-12.jsonl'),
    lines: 309,
    recall: 0.96,
    // 0.11 until the context cues were narrowed (they had silenced 84 of 183 red-team disclosures told beside a
    // class, a video or "fine now"): 12 false alarms became 14 here.
    falseAlarms: 0.12,
    category: 0.92,
    urgent: 1,
  },
  // The fourth and fifth blind sets were retired to validation/ after many measurements (their errors may be read).
  // The sixth.
  {
    file: path.join(BLIND_DIR, 'blind-2026-12f.jsonl'),
    lines: 420,
    recall: 0.9,
    falseAlarms: 0.2,
    category: 0.82,
    urgent: 1,
  },
  // The seventh (measured twice; the cues measured the second time were withdrawn, see blind/README.md).
  {
    file: path.join(BLIND_DIR, 'blind-2026-12g.jsonl'),
    lines: 424,
    recall: 0.92,
    falseAlarms: 0.25,
    category: 0.8,
    urgent: 3,
  },
  // The eighth (H) was retired to validation/ after its sixth measurement (three of its lines had been seen by mistake).
  // The ninth, written blind in the session that first measured it (twice: before and after that session's work;
  // a third time after refiling: right category 0.848).
  {
    file: path.join(BLIND_DIR, 'blind-2026-12i.jsonl'),
    lines: 420,
    recall: 0.96,
    falseAlarms: 0.19,
    category: 0.83,
    urgent: 1,
  },
  // The eleventh, written blind on 2026-12-08 (measured 1.000 / 0.143, 33 with 1 urgent / 0.878).
  {
    file: path.join(BLIND_DIR, 'blind-2026-12k.jsonl'),
    lines: 420,
    recall: 0.99,
    falseAlarms: 0.15,
    category: 0.86,
    urgent: 1,
  },
];

describe('screen evaluation on data it was never trained or tuned on', () => {
  it.each(SETS.map((f) => ({ ...f, name: path.relative(path.dirname(EVAL_DIR), f.file) })))('$name', (floor) => {
    const lines = readLabelled(floor.file);
    expect(lines.length).toBeGreaterThanOrEqual(floor.lines);
    const e = evaluate(defaultScreen(), lines);
    // Only the figures are shown: the lines a blind set gets wrong are not printed, so nobody tunes on them.
    const figures = summary(path.basename(floor.file), e);
    expect({
      recall: e.recall >= floor.recall,
      falseAlarms: e.falseAlarmRate <= floor.falseAlarms,
      category: e.categoryAccuracy >= floor.category,
      urgentFalseAlarms: e.urgentFalseAlarms <= floor.urgent,
      figures,
    }).toEqual({ recall: true, falseAlarms: true, category: true, urgentFalseAlarms: true, figures });
  });

  const dev = devSetPath();
  if (existsSync(dev)) {
    it('shared development set: recall ≥ 0.98, false alarms ≤ 0.03, right category ≥ 0.95, no urgent false alarm', () => {
      const e = evaluate(defaultScreen(), readLabelled(dev));
      const figures = summary('shared dev set', e);
      expect(e.lines).toBeGreaterThanOrEqual(80);
      expect({
        r: e.recall >= 0.98,
        fa: e.falseAlarmRate <= 0.03,
        c: e.categoryAccuracy >= 0.95,
        u: e.urgentFalseAlarms,
        figures,
      }).toEqual({
        r: true,
        fa: true,
        c: true,
        u: 0,
        figures,
      });
    });
  } else {
    // Visible in jest's summary as a skipped test that names what is missing (set SAFEGUARDING_DEV_SET).
    it.skip(`shared development set NOT FOUND at ${dev}: not measured (set SAFEGUARDING_DEV_SET)`, () => undefined);
  }
});
