/**
 * A second red-team, of the context cues and masks themselves: 245 messages written by hand on 2026-12-07 by someone
 * who had read those patterns and aimed at them. 183 are disclosures in which a word a cue reads sits beside the
 * disclosure in the same sentence (a class, a video, "on the news", "fine now" said of something else, a denial of
 * something else, an accident beside deliberate harm); 62 are what the cues exist for (lessons, programmes, the past
 * an adult resolved, plain denials, household accidents). The cues as they stood silenced 102 of the 183 (with the
 * learned layer); narrowed, and with present-tense cues for "it is still happening", 18. A fit set for the rules, not
 * an evaluation: it guards against a cue that silences disclosures again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';

interface Line {
  id: string;
  text: string;
  alert: boolean;
}

const lines = readFileSync(path.join(__dirname, '../fixtures/safeguarding/context-redteam.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line);

describe('context cues and masks never hide a disclosure beside a word they read (red-team fixture)', () => {
  it('has its 183 disclosures and 62 stories, lessons, denials and accidents', () => {
    expect(lines.filter((l) => l.alert)).toHaveLength(183);
    expect(lines.filter((l) => !l.alert)).toHaveLength(62);
  });

  it('alerts on at least 165 of the 183 disclosures (81 before the cues were narrowed)', () => {
    const missed = lines.filter((l) => l.alert && !defaultScreen().screen(l.text).alert).map((l) => l.id);
    expect(missed.length).toBeLessThanOrEqual(18);
  });

  it('raises no more than 4 alerts on the 62 lines the cues exist for', () => {
    const raised = lines.filter((l) => !l.alert && defaultScreen().screen(l.text).alert).map((l) => l.id);
    expect(raised.length).toBeLessThanOrEqual(4);
  });
});
