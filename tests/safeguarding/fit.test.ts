/**
 * Fit checks: the screen on the lines it was built from. Every file in data/safeguarding/train/ was read while the
 * rules were written and is trained on by the learned layer, so these figures say the screen still fits its own
 * data (a regression check), not how it generalises: that is evaluation.test.ts.
 */
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';
import { CATEGORIES } from '../../src/safeguarding/types';
import { readLabelled, TRAIN_DIR } from '../../scripts/screen/data';
import { errors, evaluate, summary } from '../../scripts/screen/evaluate';

/** Per training file: fewest lines, and the floors (recall, false alarms, right category) it must keep. */
const FLOORS: [file: string, lines: number, recall: number, falseAlarms: number, category: number][] = [
  ['cases.jsonl', 340, 1, 0.01, 0.99],
  ['heldout.jsonl', 370, 1, 0.01, 0.99],
  ['fresh.jsonl', 1000, 0.995, 0.02, 0.97],
  ['probe.jsonl', 60, 1, 0.05, 0.94],
  ['probe-tune.jsonl', 270, 0.99, 0.05, 0.97],
  ['blind-tune.jsonl', 300, 1, 0.01, 0.99],
  ['everyday.jsonl', 350, 1, 0.0, 1],
];

describe('screen fit on its training data (not a measure of generalisation)', () => {
  it.each(FLOORS)('fit on %s (≥ %d lines): recall ≥ %d, false alarms ≤ %d, category ≥ %d', (file, n, r, fa, cat) => {
    const lines = readLabelled(path.join(TRAIN_DIR, file));
    expect(lines.length).toBeGreaterThanOrEqual(n);
    const e = evaluate(defaultScreen(), lines);
    const why = `${summary(file, e)}\n${errors(e)}`;
    expect({
      recall: e.recall >= r,
      falseAlarms: e.falseAlarmRate <= fa,
      category: e.categoryAccuracy >= cat,
      why,
    }).toEqual({ recall: true, falseAlarms: true, category: true, why });
  });

  it('the training data covers every category and every kind of hard negative', () => {
    const lines = readLabelled(path.join(TRAIN_DIR, 'cases.jsonl'));
    const positives = new Set(lines.filter((c) => c.alert).map((c) => c.category));
    const negatives = new Set(lines.filter((c) => !c.alert).map((c) => c.category));
    for (const c of CATEGORIES) expect(positives).toContain(c);
    for (const k of ['caring_routine', 'figurative', 'topic_mention', 'everyday']) expect(negatives).toContain(k);
  });
});
