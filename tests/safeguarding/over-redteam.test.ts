/**
 * A red-team of the two ways commit 715eb7d lets the screen clear an alert: the `helped` cue (help named anywhere in
 * a message clears every sentence told as long ago, unless a present cue is anywhere in it) and the denials scoped to
 * categories (`context.negation_self`, `_away`, `_hurt`: a denial clears its categories in its sentence, and the
 * learned layer does not read that sentence). 161 messages written by hand on 2026-12-07 by someone who had read those
 * cues and aimed at them. 111 are disclosures a cue might wrongly clear: help that was for someone else or another
 * matter ("i get support from young carers", "we had a family meeting", "i got help with my maths"), help that failed,
 * words the `helped` patterns read that say there was none ("nobody helped me", "i never had any help"), a harm told
 * with "used to" or "last year" that plainly goes on in words no present cue reads ("he hits me now as well", "mum is
 * letting him move back in"), and a denial of one harm beside another or a worse one in the same sentence ("im not
 * being hurt at home, its at my uncles", "not gonna kill myself, just gonna take all my mums sleeping tablets"). 50 are
 * what the cues exist for: a past harm adults dealt with and over, sincere plain denials, reassurance after a scare.
 * On the screen as 715eb7d left it, 85 of the 111 disclosures raised no alert (17 before 715eb7d: 55 of the new misses
 * were the `helped` cue's, 15 the scoped denials'), and 4 of the 50 alerted (27 before). So the cues were narrowed:
 * help clears a past harm only when it is told with the harm (that sentence or the next) and the message also says it
 * is over and good now ("its so much calmer now", "im doing ok"); the "not being hurt at home" denial was dropped, the
 * running-away one keeps only "… going to my dads"; and present cues were added for what the misses used to say it goes
 * on ("he does it", "on saturday", "move back in", "gets out next month", "nobody helped", goodbye letters). Now 4
 * disclosures are missed and 14 of the 50 alert (18 before the over-now cues for "its all in the past", "life is
 * good"). A fit set for the rules, not an evaluation: its floors are today's figures, so a cue that silences more
 * disclosures fails here.
 */
import { redTeam } from '../support/redteam';

const { disclosures, others, missed, raised } = redTeam('over-redteam.jsonl');

describe('help and denial cues never clear a disclosure they were not written for (red-team fixture)', () => {
  it('has its 111 disclosures and 50 resolved pasts, denials and reassurances', () => {
    expect(disclosures).toHaveLength(111);
    expect(others).toHaveLength(50);
  });

  it('misses no more than 6 of the 111 disclosures (17 before the helped cue and scoped denials, 85 with their first cut, 4 with the model before the 474 new everyday training lines)', () => {
    expect(missed().length).toBeLessThanOrEqual(6);
  });

  it('raises no more than 14 alerts on the 50 lines the cues exist for (27 before)', () => {
    expect(raised().length).toBeLessThanOrEqual(14);
  });
});
