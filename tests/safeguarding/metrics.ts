import { existsSync, readFileSync } from 'node:fs';
import type { Screen } from '../../src/safeguarding';

/** One labelled line: `alert` is the truth; `category` is the expected category for alerts. */
export interface LabelledCase {
  id: string;
  text: string;
  alert: boolean;
  category: string;
}

export interface Metrics {
  recall: number;
  falseAlarmRate: number;
  categoryAccuracy: number;
  positives: number;
  negatives: number;
  misses: LabelledCase[];
  falseAlarms: LabelledCase[];
  wrongCategory: { c: LabelledCase; got: string | null }[];
}

/** Reads a labelled JSONL file, or undefined when it is absent. */
export function readCases(file: string): LabelledCase[] | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledCase);
}

/** Recall, false-alarm rate and category accuracy (on caught alerts) of a screen over labelled cases. */
export function measure(screen: Screen, cases: readonly LabelledCase[]): Metrics {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  let negatives = 0;
  let rightCategory = 0;
  const misses: LabelledCase[] = [];
  const falseAlarms: LabelledCase[] = [];
  const wrongCategory: { c: LabelledCase; got: string | null }[] = [];
  for (const c of cases) {
    const r = screen.screen(c.text);
    if (c.alert) {
      positives++;
      if (r.alert) {
        tp++;
        if (r.category === c.category) rightCategory++;
        else wrongCategory.push({ c, got: r.category });
      } else misses.push(c);
    } else {
      negatives++;
      if (r.alert) {
        fp++;
        falseAlarms.push(c);
      }
    }
  }
  return {
    recall: positives ? tp / positives : 1,
    falseAlarmRate: negatives ? fp / negatives : 0,
    categoryAccuracy: tp ? rightCategory / tp : 1,
    positives,
    negatives,
    misses,
    falseAlarms,
    wrongCategory,
  };
}

/** A printable summary. */
export function report(name: string, m: Metrics): string {
  const lines = [
    `${name}: recall ${m.recall.toFixed(3)} (${m.positives} alerts), false-alarm rate ${m.falseAlarmRate.toFixed(3)} ` +
      `(${m.negatives} non-alerts), category accuracy ${m.categoryAccuracy.toFixed(3)}`,
    ...m.misses.map((c) => `  missed ${c.id} [${c.category}] ${c.text}`),
    ...m.falseAlarms.map((c) => `  false alarm ${c.id} [${c.category}] ${c.text}`),
    ...m.wrongCategory.map(({ c, got }) => `  category ${c.id} expected ${c.category} got ${got}: ${c.text}`),
  ];
  return lines.join('\n');
}
