/**
 * A second red-team, of the context cues and masks themselves: 245 messages written by hand on 2026-12-07 by someone
 * who had read those patterns and aimed at them. 183 are disclosures in which a word a cue reads sits beside the
 * disclosure in the same sentence (a class, a video, "on the news", "fine now" said of something else, a denial of
 * something else, an accident beside deliberate harm); 62 are what the cues exist for (lessons, programmes, the past
 * an adult resolved, plain denials, household accidents). The cues as they stood silenced 102 of the 183 (with the
 * learned layer); narrowed, and with present-tense cues for "it is still happening", 18. A fit set for the rules, not
 * an evaluation: it guards against a cue that silences disclosures again.
 */
import { redTeam } from '../support/redteam';

const { disclosures, others, missed, raised } = redTeam('context-redteam.jsonl');

describe('context cues and masks never hide a disclosure beside a word they read (red-team fixture)', () => {
  it('has its 183 disclosures and 62 stories, lessons, denials and accidents', () => {
    expect(disclosures).toHaveLength(183);
    expect(others).toHaveLength(62);
  });

  it('alerts on at least 168 of the 183 disclosures (81 before the cues were narrowed; 169 with the model before the 474 new everyday training lines)', () => {
    expect(missed().length).toBeLessThanOrEqual(15);
  });

  it('raises no more than 4 alerts on the 62 lines the cues exist for', () => {
    expect(raised().length).toBeLessThanOrEqual(4);
  });
});
