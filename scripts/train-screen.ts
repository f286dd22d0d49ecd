/**
 * Trains the safeguarding screen's learned layer: `npm run train:screen`.
 * Reads every tests/fixtures/safeguarding/*.jsonl file ({id, text, alert, category}), runs a 5-fold
 * cross-validation to choose the alert threshold (printing its figures), trains on everything and writes
 * src/safeguarding/model.json. Deterministic: the same data gives the same file.
 * Options: `--dry-run` (cross-validate and print, write nothing), `--lambda X`, `--iterations N`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLexicon } from '../src/safeguarding/lexicon';
import { createAnalyser } from '../src/safeguarding/screen';
import {
  crossValidate,
  DEFAULT_TRAIN_OPTIONS,
  prepareExamples,
  trainModel,
  type LabelledLine,
  type TrainOptions,
} from '../src/safeguarding/train';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'tests/fixtures/safeguarding');
const OUT = path.join(ROOT, 'src/safeguarding/model.json');
/** Ordinary chat: trained on, but not counted in the false-alarm rate that sets the threshold. */
const EVERYDAY = 'everyday.jsonl';

/** The labelled training lines: every fixture file, in name order. */
export function readTrainingLines(dir = FIXTURES): LabelledLine[] {
  const lines: LabelledLine[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    for (const l of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (l.trim() === '') continue;
      const line = JSON.parse(l) as LabelledLine;
      lines.push(name === EVERYDAY ? { ...line, easy: true } : line);
    }
  }
  return lines;
}

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
  };
  const started = Date.now();
  const lines = readTrainingLines();
  const examples = prepareExamples(lines, createAnalyser(loadLexicon()), options.hashBits);
  const negatives = examples.filter((e) => e.label === 0).length;
  console.log(
    `${lines.length} lines, ${examples.length} distinct (${examples.length - negatives} alerts, ${negatives} not)`,
  );
  const cv = crossValidate(examples, options);
  const fmt = (x: number): string => x.toFixed(3);
  console.log(`${options.folds}-fold cross-validation (held-out scores), lambda ${options.lambda}:`);
  console.log('   T   model: recall  FA     cat   | rules+model: recall  FA     cat');
  const shown = new Set([0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, cv.chosen]);
  for (const t of [...shown].sort((a, b) => a - b)) {
    const { model, combined } = cv.at(t);
    console.log(
      `${t === cv.chosen ? '*' : ' '}${t.toFixed(2)}        ${fmt(model.recall)}  ${fmt(model.falseAlarm)}  ${fmt(model.category)} |` +
        `              ${fmt(combined.recall)}  ${fmt(combined.falseAlarm)}  ${fmt(combined.category)}`,
    );
  }
  const chosen = cv.at(cv.chosen);
  console.log(`chosen threshold ${cv.chosen} (held-out rules+model false alarms ≤ ${options.targetFalseAlarm})`);
  if (args.includes('--dry-run')) return;
  const round = (f: { recall: number; falseAlarm: number; category: number }): Record<string, number> => ({
    recall: Number(fmt(f.recall)),
    falseAlarm: Number(fmt(f.falseAlarm)),
    category: Number(fmt(f.category)),
  });
  const model = trainModel(examples, options, cv.chosen, {
    cv: {
      folds: options.folds,
      seed: options.seed,
      threshold: cv.chosen,
      model: round(chosen.model),
      combined: round(chosen.combined),
    },
    trainedOn: {
      lines: examples.length,
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

if (require.main === module) main();
