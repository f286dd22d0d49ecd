/**
 * A red-team of context cues: 202 messages written by hand on 2026-12-07 against cues that clear a story told across
 * sentences ("an adult already knows", "someone else's", "long ago"), plain denials, "help me …" and "don't tell my
 * mum". 160 are disclosures a safeguarding lead would want to see, many told beside everyday young-carer life
 * (a parent's treatment, support worker or delivery) or beside help that failed, was partial or is over; 42 are
 * stories an adult is already handling, or plain denials. Cues tried that day silenced 92 of the disclosures the
 * screen had caught and were withdrawn. Written by someone who had read the lexicon, so this is a fit set for the
 * rules, not an evaluation: it guards against a cue that silences disclosures, whatever it gains elsewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';

interface Line {
  id: string;
  text: string;
  alert: boolean;
}

const lines = readFileSync(path.join(__dirname, '../fixtures/safeguarding/story-redteam.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line);

describe('context cues never silence a disclosure told beside a story (red-team fixture)', () => {
  it('has its 160 disclosures and 42 handled stories or denials', () => {
    expect(lines.filter((l) => l.alert)).toHaveLength(160);
    expect(lines.filter((l) => !l.alert)).toHaveLength(42);
  });

  it('alerts on at least 154 of the 160 disclosures (145 before the rules for a friend hurt at home, someone getting in now and "so do i")', () => {
    const missed = lines.filter((l) => l.alert && !defaultScreen().screen(l.text).alert).map((l) => l.id);
    expect(missed.length).toBeLessThanOrEqual(6);
  });

  it('raises no more than 20 alerts on the 42 handled stories and denials (23 before the narrow cue for a friend an adult has helped; a figure to bring down, not a goal)', () => {
    const raised = lines.filter((l) => !l.alert && defaultScreen().screen(l.text).alert).map((l) => l.id);
    expect(raised.length).toBeLessThanOrEqual(20);
  });
});
