/**
 * A red-team of context cues: 202 messages written by hand on 2026-12-07 against cues that clear a story told across
 * sentences ("an adult already knows", "someone else's", "long ago"), plain denials, "help me …" and "don't tell my
 * mum". 160 are disclosures a safeguarding lead would want to see, many told beside everyday young-carer life
 * (a parent's treatment, support worker or delivery) or beside help that failed, was partial or is over; 42 are
 * stories an adult is already handling, or plain denials. Cues tried that day silenced 92 of the disclosures the
 * screen had caught and were withdrawn. Written by someone who had read the lexicon, so this is a fit set for the
 * rules, not an evaluation: it guards against a cue that silences disclosures, whatever it gains elsewhere.
 */
import { redTeam } from '../support/redteam';

const { disclosures, others, missed, raised } = redTeam('story-redteam.jsonl');

describe('context cues never silence a disclosure told beside a story (red-team fixture)', () => {
  it('has its 160 disclosures and 42 handled stories or denials', () => {
    expect(disclosures).toHaveLength(160);
    expect(others).toHaveLength(42);
  });

  it('alerts on at least 157 of the 160 disclosures (145 before the rules for a friend hurt at home, someone getting in or coming now, and "so do i")', () => {
    expect(missed().length).toBeLessThanOrEqual(3);
  });

  it('raises no more than 14 alerts on the 42 handled stories and denials (23 before the narrow cue for a friend an adult has helped, 20 before the cues for help told with a long-ago harm, scoped denials, secrets and safety questions; a figure to bring down, not a goal)', () => {
    expect(raised().length).toBeLessThanOrEqual(14);
  });
});
