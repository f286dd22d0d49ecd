/**
 * Trains the safeguarding screen's learned layer: `npm run train:screen` (which then runs evaluate-screen.ts in a
 * separate process for the evaluation and blind sets).
 * Reads only data/safeguarding/train/*.jsonl ({id, text, alert, category}; see screen/data.ts, which refuses any
 * other folder), runs a 5-fold cross-validation to choose the alert threshold (printing its figures and a confusion
 * table), trains on everything and writes src/safeguarding/model.json. Deterministic: the same data gives the same
 * file. Options: `--dry-run` (cross-validate and print, write nothing), `--lambda X`, `--iterations N`, `--min-lines N`
 * (fewest training lines a feature must be in to be kept).
 *
 * What cross-validation holds out: the learned layer is trained on four folds and scored on the fifth. The rules
 * (lexicon.json) are hand-written and were written with every training line in view, so they are not held out:
 * the "rules + model" column is a fit figure for the rules, and only the evaluation sets measure them honestly.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLexicon } from '../src/safeguarding/lexicon';
import { createAnalyser } from '../src/safeguarding/screen';
import { CATEGORIES } from '../src/safeguarding/types';
import { readTrainingLines, ROOT } from './screen/data';
import {
  augmentLong,
  crossValidate,
  DEFAULT_TRAIN_OPTIONS,
  GATE_RECALL_COST,
  prepareExamples,
  trainModel,
  type TrainOptions,
} from './screen/train';

const OUT = path.join(ROOT, 'src/safeguarding/model.json');

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const options: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    ...(arg('--lambda') ? { lambda: Number(arg('--lambda')) } : {}),
    ...(arg('--iterations') ? { iterations: Number(arg('--iterations')) } : {}),
    ...(arg('--min-lines') ? { minLines: Number(arg('--min-lines')) } : {}),
  };
  const started = Date.now();
  const lines = readTrainingLines();
  const analyse = createAnalyser(loadLexicon());
  const examples = prepareExamples(lines, analyse, options.hashBits);
  const augmented = prepareExamples(augmentLong(lines, options.seed), analyse, options.hashBits);
  const negatives = examples.filter((e) => e.label === 0).length;
  console.log(
    `${lines.length} lines, ${examples.length} distinct (${examples.length - negatives} alerts, ${negatives} not)`,
  );
  console.log(`${augmented.length} long lines made from them (each in chat, kept in its source line's fold)`);
  const cv = crossValidate(examples, options, augmented);
  const fmt = (x: number): string => x.toFixed(3);
  console.log(
    `${options.folds}-fold cross-validation, lambda ${options.lambda}: the learned layer is held out per fold; ` +
      'the rules are NOT (written with every training line in view), so "rules+model" is a fit figure',
  );
  console.log('   T   model (held out): recall  FA     cat   | rules (fit)+model (held out): recall  FA     cat');
  const shown = new Set([0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, cv.chosen]);
  for (const t of [...shown].sort((a, b) => a - b)) {
    const { model, combined } = cv.at(t);
    console.log(
      `${t === cv.chosen ? '*' : ' '}${t.toFixed(2)}                   ${fmt(model.recall)}  ${fmt(model.falseAlarm)}  ${fmt(model.category)} |` +
        `                                ${fmt(combined.recall)}  ${fmt(combined.falseAlarm)}  ${fmt(combined.category)}`,
    );
  }
  const chosen = cv.at(cv.chosen);
  console.log(`chosen threshold ${cv.chosen} (the model's own held-out false alarms ≤ ${options.targetFalseAlarm})`);
  const long = cv.longAt(cv.chosen);
  console.log(
    `held-out long lines (a line set in chat) at ${cv.chosen}: recall ${fmt(long.recall)}, false alarms ` +
      `${fmt(long.falseAlarm)}, category ${fmt(long.category)}`,
  );
  console.log(
    `piece gate (a message read in pieces alerts only when the whole scores at least this; model recall / long recall / ` +
      `model false alarms / long false alarms, held out, at ${cv.chosen}):`,
  );
  for (let g = 0; g < cv.chosen; g += 0.05) {
    const gate = Number(g.toFixed(2));
    const m = cv.at(cv.chosen, gate).model;
    const l = cv.longAt(cv.chosen, gate);
    console.log(
      `${gate === cv.gate ? '*' : ' '}${gate.toFixed(2)}  ${fmt(m.recall)} / ${fmt(l.recall)} / ${fmt(m.falseAlarm)} / ${fmt(l.falseAlarm)}`,
    );
  }
  console.log(
    `chosen piece gate ${cv.gate} (held-out recall, all lines and long ones, falls by at most ${GATE_RECALL_COST})`,
  );
  printConfusion(examples, cv);
  if (args.includes('--dry-run')) return;
  const round = (f: { recall: number; falseAlarm: number; category: number }): Record<string, number> => ({
    recall: Number(fmt(f.recall)),
    falseAlarm: Number(fmt(f.falseAlarm)),
    category: Number(fmt(f.category)),
  });
  const gated = cv.at(cv.chosen, cv.gate);
  const model = trainModel([...examples, ...augmented], options, cv.chosen, {
    ...(cv.gate > 0 ? { pieceGate: cv.gate } : {}),
    cv: {
      folds: options.folds,
      seed: options.seed,
      threshold: cv.chosen,
      model: round(chosen.model),
      combined: round(chosen.combined),
      long: round(long),
      ...(cv.gate > 0
        ? {
            pieceGate: cv.gate,
            gated: {
              model: round(gated.model),
              combined: round(gated.combined),
              long: round(cv.longAt(cv.chosen, cv.gate)),
            },
          }
        : {}),
    },
    trainedOn: {
      lines: examples.length,
      longLines: augmented.length,
      alerts: examples.length - negatives,
      lambda: options.lambda,
      iterations: options.iterations,
      minLines: options.minLines,
    },
  });
  const text = `${JSON.stringify(model)}\n`;
  writeFileSync(OUT, text);
  console.log(
    `wrote ${path.relative(ROOT, OUT)}: ${model.rows.length} rows, ${(text.length / 1024).toFixed(0)} KiB, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** The learned layer's held-out confusion at the chosen threshold, where the rules raise nothing. */
function printConfusion(examples: ReturnType<typeof prepareExamples>, cv: ReturnType<typeof crossValidate>): void {
  const labels = ['none', ...CATEGORIES];
  const table = new Map<string, Map<string, number>>();
  examples.forEach((ex, i) => {
    if (ex.easy) return;
    const truth = labels[ex.label] as string;
    const got = ex.rule ?? cv.modelAt(i, cv.chosen) ?? 'none';
    const row = table.get(truth) ?? new Map<string, number>();
    row.set(got, (row.get(got) ?? 0) + 1);
    table.set(truth, row);
  });
  const short = (l: string): string => l.replace('forced_marriage_fgm', 'forced_marr').slice(0, 11);
  console.log(
    'cross-validation confusion at the chosen threshold (rows truth, columns rules (fit) + model (held out)):',
  );
  console.log(['truth \\ got'.padEnd(14), ...labels.map((l) => short(l).padStart(12))].join(''));
  for (const t of labels) {
    const row = table.get(t);
    if (row) console.log([short(t).padEnd(14), ...labels.map((g) => String(row.get(g) ?? '.').padStart(12))].join(''));
  }
}

if (require.main === module) main();
