import type { Writable } from 'node:stream';
import { feedbackLine, type AlertStore } from '../domain/alerts/store';

/**
 * `haven screen feedback export`: staff verdicts on alerts ("not a concern", "wrong category → X") as labelled JSON
 * lines in the training data's own shape (`{"id","text","alert","category"}`), oldest alert first. The lines are for
 * a person to check and then add to data/safeguarding/train/ before `npm run train:screen`: nothing is retrained
 * automatically. Returns how many lines were written.
 */
export async function exportScreenFeedback(store: AlertStore, out: Writable): Promise<number> {
  let n = 0;
  for await (const alert of store.exportAll()) {
    const line = feedbackLine(alert);
    if (!line) continue;
    if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
    n++;
  }
  return n;
}
