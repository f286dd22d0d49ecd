/**
 * Evaluates the screen as built (lexicon.json + model.json) on the evaluation sets: every file in
 * data/safeguarding/eval/ and data/safeguarding/blind/, and the shared development set when present
 * (`SAFEGUARDING_DEV_SET`, default ../shared/safeguarding-dev.jsonl beside the repository). Prints one line of figures
 * per set, then a per-category confusion table over all of them. Runs after `train-screen.ts` in
 * `npm run train:screen`, in its own process: the trainer never reads these files.
 *
 * Options: `--set FILE` (evaluate only that file), `--errors` (list the lines it got wrong; refused for blind/
 * sets, which must never be tuned on), `--rules-only` (the rules without the learned layer), `--no-table`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadLexicon } from '../src/safeguarding/lexicon';
import { createScreen, defaultScreen } from '../src/safeguarding/screen';
import { BLIND_DIR, evaluationFiles, readLabelled, ROOT, type Labelled } from './screen/data';
import { confusionTable, errors, evaluate, summary } from './screen/evaluate';

/** Where the shared development set is looked for. */
export function devSetPath(): string {
  return process.env.SAFEGUARDING_DEV_SET ?? path.resolve(ROOT, '../shared/safeguarding-dev.jsonl');
}

const USAGE = 'usage: evaluate-screen [--set FILE] [--errors] [--rules-only] [--no-table]';
const FLAGS = new Set(['--set', '--errors', '--rules-only', '--no-table']);

function main(): void {
  const args = process.argv.slice(2);
  // An unknown option (--help included) must not fall through to measuring every blind set: each measurement of a
  // blind set spends some of its blindness.
  const unknown = args.filter((a, i) => !FLAGS.has(a) && args[i - 1] !== '--set');
  if (unknown.length > 0 || (args.includes('--set') && args[args.indexOf('--set') + 1] === undefined)) {
    console.error(unknown.length > 0 ? `unknown option ${unknown.join(' ')}\n${USAGE}` : USAGE);
    process.exitCode = 2;
    return;
  }
  const at = args.indexOf('--set');
  const screen = args.includes('--rules-only') ? createScreen(loadLexicon(), { model: null }) : defaultScreen();
  const sets: [string, string][] = [];
  if (at >= 0) {
    const file = path.resolve(args[at + 1] ?? '');
    sets.push([path.relative(ROOT, file), file]);
  } else {
    sets.push(...evaluationFiles());
    const dev = devSetPath();
    if (existsSync(dev)) sets.push(['shared dev set', dev]);
    else console.log(`shared dev set NOT FOUND at ${dev} (set SAFEGUARDING_DEV_SET): not measured`);
  }
  const all: Labelled[] = [];
  for (const [name, file] of sets) {
    const lines = readLabelled(file);
    all.push(...lines);
    const e = evaluate(screen, lines);
    console.log(summary(name, e));
    if (args.includes('--errors')) {
      if (path.resolve(file).startsWith(BLIND_DIR + path.sep)) console.log('  (errors of a blind set are not shown)');
      else console.log(errors(e));
    }
  }
  if (!args.includes('--no-table') && all.length > 0) {
    console.log(`\nconfusion over the evaluation sets above (${all.length} lines; rows truth, columns the screen):`);
    console.log(confusionTable(evaluate(screen, all)));
  }
}

if (require.main === module) main();
