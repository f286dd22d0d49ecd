/**
 * Measures a screen on labelled lines: recall, false alarms (and how many were urgent), right category, recall on
 * long (30+ words) and short messages, and a per-category confusion table. Pure; used by
 * scripts/evaluate-screen.ts and the accuracy tests.
 */
import type { Screen } from '../../src/safeguarding/types';
import { CATEGORIES } from '../../src/safeguarding/types';
import type { Labelled } from './data';

/** Messages of at least this many words count as long. */
export const LONG_WORDS = 30;

export interface Evaluation {
  lines: number;
  positives: number;
  negatives: number;
  recall: number;
  falseAlarmRate: number;
  /** False alarms the screen called urgent (the goal is none). */
  urgentFalseAlarms: number;
  /** Right category among the alerts caught. */
  categoryAccuracy: number;
  longRecall: number;
  longPositives: number;
  shortRecall: number;
  misses: Labelled[];
  falseAlarms: { line: Labelled; got: string; severity: string }[];
  wrongCategory: { line: Labelled; got: string }[];
  /** confusion[truth][got]: truth is a category or `none`; got is a category or `none`. */
  confusion: Map<string, Map<string, number>>;
}

const words = (text: string): number => text.split(/\s+/).filter((w) => /[a-z0-9]/i.test(w)).length;

/** Screens every line and tallies the figures. */
export function evaluate(screen: Screen, lines: readonly Labelled[]): Evaluation {
  let tp = 0;
  let right = 0;
  let positives = 0;
  let negatives = 0;
  let fp = 0;
  let urgent = 0;
  let longPos = 0;
  let longTp = 0;
  const misses: Labelled[] = [];
  const falseAlarms: Evaluation['falseAlarms'] = [];
  const wrongCategory: Evaluation['wrongCategory'] = [];
  const confusion = new Map<string, Map<string, number>>();
  const tally = (truth: string, got: string): void => {
    const row = confusion.get(truth) ?? new Map<string, number>();
    row.set(got, (row.get(got) ?? 0) + 1);
    confusion.set(truth, row);
  };
  for (const line of lines) {
    const r = screen.screen(line.text);
    const got = r.alert ? (r.category ?? 'none') : 'none';
    if (line.alert) {
      positives++;
      const long = words(line.text) >= LONG_WORDS;
      if (long) longPos++;
      tally(line.category ?? 'none', got);
      if (r.alert) {
        tp++;
        if (long) longTp++;
        if (r.category === line.category) right++;
        else wrongCategory.push({ line, got });
      } else misses.push(line);
    } else {
      negatives++;
      tally('none', got);
      if (r.alert) {
        fp++;
        if (r.severity === 'urgent') urgent++;
        falseAlarms.push({ line, got, severity: r.severity ?? '' });
      }
    }
  }
  const shortPos = positives - longPos;
  return {
    lines: lines.length,
    positives,
    negatives,
    recall: positives ? tp / positives : 1,
    falseAlarmRate: negatives ? fp / negatives : 0,
    urgentFalseAlarms: urgent,
    categoryAccuracy: tp ? right / tp : 1,
    longRecall: longPos ? longTp / longPos : 1,
    longPositives: longPos,
    shortRecall: shortPos ? (tp - longTp) / shortPos : 1,
    misses,
    falseAlarms,
    wrongCategory,
    confusion,
  };
}

const f3 = (x: number): string => x.toFixed(3);

/** One line of figures. */
export function summary(name: string, e: Evaluation): string {
  return (
    `${name}: ${e.lines} lines (${e.positives} alerts, ${e.negatives} not) recall ${f3(e.recall)}, ` +
    `false alarms ${f3(e.falseAlarmRate)} (${e.falseAlarms.length}, ${e.urgentFalseAlarms} urgent), ` +
    `right category ${f3(e.categoryAccuracy)}, recall long (${LONG_WORDS}+ words, ${e.longPositives}) ` +
    `${f3(e.longRecall)} / short ${f3(e.shortRecall)}`
  );
}

/** The per-category confusion table: rows are the truth, columns what the screen said. */
export function confusionTable(e: Evaluation): string {
  const labels = ['none', ...CATEGORIES];
  const short = (l: string): string => l.replace('forced_marriage_fgm', 'forced_marr').slice(0, 11);
  const head = ['truth \\ got'.padEnd(14), ...labels.map((l) => short(l).padStart(12))].join('');
  const rows = labels
    .filter((t) => e.confusion.has(t))
    .map((t) => {
      const row = e.confusion.get(t) as Map<string, number>;
      return [short(t).padEnd(14), ...labels.map((g) => String(row.get(g) ?? '.').padStart(12))].join('');
    });
  return [head, ...rows].join('\n');
}

/** The lines the screen got wrong (never print these for a blind set you may still tune against). */
export function errors(e: Evaluation): string {
  return [
    ...e.misses.map((l) => `  missed ${l.id} [${l.category}] ${l.text}`),
    ...e.falseAlarms.map(
      (f) => `  false alarm ${f.line.id} [${f.line.category}] → ${f.got} ${f.severity}: ${f.line.text}`,
    ),
    ...e.wrongCategory.map((w) => `  category ${w.line.id} expected ${w.line.category} got ${w.got}: ${w.line.text}`),
  ].join('\n');
}
