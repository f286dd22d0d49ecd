import {
  ADVICE,
  adviceAgain,
  alsoHelplinesFor,
  concernKind,
  HELPLINES,
  safeguardingReply,
} from '../../src/flows/safeguarding/reply';
import { asksAboutTelling, privacyAnswer } from '../../src/flows/safeguarding/privacy';
import { CATEGORIES, defaultScreen, type Category } from '../../src/safeguarding';

/** Asserts that `first` and `then` both occur in `t`, in that order. */
function inOrder(t: string, first: string, then: string): void {
  const a = t.indexOf(first);
  const b = t.indexOf(then);
  expect({ first: a >= 0, then: b >= 0, ordered: a < b }).toEqual({ first: true, then: true, ordered: true });
}

/** Words a 12-year-old should not have to decode. */
const JARGON = /safeguarding|designated|\bDSL\b|confidential|disclos|statutory|referral|multi-agency|LADO/i;

describe('the young person’s reply to a concern', () => {
  const all = (t: string) => {
    expect(t).toContain('999');
    expect(t).toMatch(/may have to tell people whose job is to keep children safe/);
    expect(t).not.toMatch(JARGON);
  };
  /** `first` and `then` are both in `t`, `first` before `then` (a missing one fails, not passes). */
  const inOrder = (t: string, first: string, then: string) => {
    expect(t).toContain(first);
    expect(t).toContain(then);
    expect(t.indexOf(first)).toBeLessThan(t.indexOf(then));
  };

  it('in office hours: thanks them, says a youth worker will be in touch, gives the helplines', () => {
    const t = safeguardingReply({ urgent: false, open: true, nextOpening: 'tomorrow after 9am' });
    all(t);
    for (const h of HELPLINES) expect(t).toContain(h);
    inOrder(t, 'Thank you', 'Childline');
    expect(t).toMatch(/get in touch as soon as they can/);
  });

  it('out of hours: helplines first and an honest time for when someone will read it', () => {
    const t = safeguardingReply({ urgent: false, open: false, nextOpening: 'on Monday after 9am' });
    all(t);
    inOrder(t, 'Childline', 'Thank you');
    expect(t).toMatch(/will read this on Monday after 9am/);
  });

  it('urgent: 999 comes first, including for someone who cannot be woken', () => {
    const t = safeguardingReply({ urgent: true, open: true, nextOpening: 'x' });
    all(t);
    expect(t.startsWith('If you or someone with you is in danger')).toBe(true);
    expect(t).toMatch(/can’t be woken up, call 999 now/);
  });
});

describe('advice that fits the concern', () => {
  const reply = (category: Category, text: string, open = true): string =>
    safeguardingReply({ urgent: false, open, nextOpening: 'tomorrow after 9am', kind: concernKind(category, text) });

  it('sextortion: don’t send more, don’t pay, not in trouble, Report Remove, CEOP', () => {
    const text = 'someone has my nudes and says he will post them unless i pay £100';
    expect(concernKind('grooming_online', text)).toBe('sextortion');
    const t = reply('grooming_online', text);
    expect(t).toMatch(/Don’t send anything more, and don’t pay/);
    expect(t).toMatch(/You are not in trouble/);
    expect(t).toMatch(/Report Remove at childline\.org\.uk\/remove/);
    expect(t).toMatch(/IWF/);
    expect(t).toMatch(/CEOP/);
    expect(t).toContain('0800 1111');
    // Filed as bullying by the screen, the advice is still sextortion's.
    expect(
      concernKind('bullying_threat', 'they said theyll share my pics with the whole school if i dont send money'),
    ).toBe('sextortion');
  });

  it('a young carer who cannot cope with the caring: not alone, help at home, 999 only for the person cared for', () => {
    const text = 'im so tired of looking after mum i cant cope';
    const verdict = defaultScreen().screen(text);
    expect(verdict).toMatchObject({ alert: true, category: 'neglect_danger' });
    const kind = concernKind(verdict.category, text, verdict.matched);
    expect(kind).toBe('carer_strain');
    const t = safeguardingReply({ urgent: false, open: true, nextOpening: 'x', kind });
    expect(t).toMatch(/Looking after someone is a big job, and you deserve help with it/);
    expect(t).toMatch(/young carer’s assessment/);
    expect(t).toMatch(/A youth worker will read this/);
    expect(t.match(/999/g)).toHaveLength(1);
    expect(t).not.toMatch(/no food or heating/);
    // A neglect concern with another reason (no food for days) keeps the neglect advice.
    const hungry = 'i cant cope looking after mum, theres been no food in the house for days';
    const v2 = defaultScreen().screen(hungry);
    expect(v2.category).toBe('neglect_danger');
    expect(concernKind(v2.category, hungry, v2.matched)).toBe('neglect_danger');
  });

  it('a friend hurt at home: advice about the friend, not “you”, 999 for the friend, Childline', () => {
    const text = 'my friend is being hit by her stepdad';
    const verdict = defaultScreen().screen(text);
    expect(verdict).toMatchObject({ alert: true, category: 'abuse_physical' });
    const kind = concernKind(verdict.category, text, verdict.matched);
    expect(kind).toBe('friend_hurt');
    const t = safeguardingReply({ urgent: false, open: true, nextOpening: 'x', kind });
    expect(t).toMatch(/Nobody is allowed to hurt your friend, and it is not their fault/);
    expect(t).toMatch(/If your friend is in danger right now, call 999/);
    expect(t).toMatch(/A youth worker will read this/);
    expect(t).toContain('0800 1111');
    expect(t).not.toMatch(/Nobody is allowed to hurt you\b/);
    expect(t.match(/999/g)).toHaveLength(1);
    // The young person's own abuse told with it keeps the advice for them.
    const own = 'my friend is being hit by her stepdad and my dad hits me too';
    const v2 = defaultScreen().screen(own);
    expect(concernKind(v2.category, own, v2.matched)).toBe('abuse_physical');
  });

  it('online grooming without a demand: don’t send pictures or meet, CEOP', () => {
    const text = 'a man on roblox wants to meet me and says not to tell my mum';
    expect(concernKind('grooming_online', text)).toBe('grooming_online');
    const t = reply('grooming_online', text);
    expect(t).toMatch(/Don’t send any pictures or meet them/);
    expect(t).toMatch(/CEOP/);
  });

  it('not wanting to go home tonight: what to do tonight, Runaway Helpline, 999', () => {
    const text = "i don't want to go home tonight";
    expect(concernKind('running_away', text)).toBe('not_going_home');
    const t = reply('running_away', text);
    expect(t).toMatch(/If you can’t go home tonight, stay somewhere safe/);
    expect(t).toMatch(/116 000/);
    expect(t).toMatch(/Don’t go off with someone you don’t know well/);
    inOrder(t, 'tonight', 'A youth worker will read this');
  });

  it('suicide: 999, Samaritans 116 123, Shout 85258, Papyrus HOPELINE247 0800 068 4141', () => {
    const t = reply('suicide', 'i want to end it all');
    expect(t).toMatch(/call 999 now or go to A&E/);
    for (const n of ['116 123', '85258', 'HOPELINE247', '0800 068 4141']) expect(t).toContain(n);
    inOrder(t, 'Samaritans', 'Papyrus');
  });

  it('told to kill themselves, filed as bullying: the bullying steps and the suicide helplines too', () => {
    const text = 'they all keep telling me in the group chat to go kill myself';
    const screened = defaultScreen().screen(text);
    expect(screened.category).toBe('bullying_threat');
    const kind = concernKind(screened.category, text, screened.matched);
    const also = alsoHelplinesFor(screened.matched);
    const t = safeguardingReply({ urgent: false, open: true, nextOpening: 'x', kind, also });
    expect(t).toMatch(/keep screenshots/);
    for (const h of ['Childline', 'Samaritans: call 116 123', 'Papyrus HOPELINE247']) expect(t).toContain(h);
    // Without words about dying, bullying gets its own helplines only.
    const plain = safeguardingReply({ urgent: false, open: true, nextOpening: 'x', kind, also: [] });
    expect(plain).not.toContain('Samaritans');
    // Asked again ("what do i do"): the same helplines, kept with the concern.
    const now = new Date();
    const again = adviceAgain(
      { kind: 'bullying_threat', at: now.getTime(), also: alsoHelplinesFor(screened.matched) },
      now,
    );
    expect(again).toMatch(/keep screenshots/);
    expect(again).toContain('Papyrus HOPELINE247');
    expect(adviceAgain({ kind: 'bullying_threat', at: now.getTime() }, now)).not.toContain('Samaritans');
  });

  it('anything swallowed: 999 even if they feel OK (an overdose can harm hours later, when it feels fine)', () => {
    expect(reply('suicide', 'i took 20 paracetamol but i dont want to die')).toMatch(
      /taken something, call 999 now or go to A&E, even if you feel OK/,
    );
    expect(reply('self_harm', 'just swallowed loads of pills not to die')).toMatch(
      /swallowed something, call 999 now, even if you feel OK/,
    );
  });

  it('domestic abuse: the National Domestic Abuse Helpline and 999 with 55 when you cannot talk', () => {
    const t = reply('domestic_abuse', 'my stepdad hits my mum');
    expect(t).toContain('National Domestic Abuse Helpline: call 0808 2000 247');
    expect(t).toMatch(/If you can’t talk, call 999, listen, then press 55/);
  });

  it('forced marriage: the Forced Marriage Unit on 020 7008 0151', () => {
    const t = reply('forced_marriage_fgm', 'they are taking me abroad to marry my cousin');
    expect(t).toContain('Forced Marriage Unit: call 020 7008 0151');
    expect(t).toMatch(/Nobody is allowed to make you marry/);
  });

  it.each(CATEGORIES.map((c) => [c]))('%s: its own steps and helplines, in plain words, in and out of hours', (c) => {
    for (const open of [true, false]) {
      const t = reply(c, 'x', open);
      for (const step of ADVICE[c].now) expect(t).toContain(step);
      for (const h of ADVICE[c].helplines) expect(t).toContain(h);
      expect(t).toContain('999');
      expect(t).not.toMatch(JARGON);
      // Short sentences: a 12-year-old reads a phone screen.
      for (const sentence of t.split(/(?<=[.!?])\s+|\n/)) expect(sentence.split(/\s+/).length).toBeLessThanOrEqual(32);
    }
  });
});

describe('"please don’t tell my mum"', () => {
  it.each([
    "please don't tell my mum",
    'pls dont tell anyone',
    'will you tell my dad?',
    'r u gonna tell school',
    'is this private',
    'who else can read this',
  ])('is a question about telling: %s', (text) => expect(asksAboutTelling(text)).toBe(true));

  it.each(['tell me about the group', 'my mum said to tell you hi', 'can you help me with my homework'])(
    'is not: %s',
    (text) => expect(asksAboutTelling(text)).toBe(false),
  );

  it('gets an honest answer: what stays private, what may be shared and with whom, told first', () => {
    const t = privacyAnswer();
    expect(t).toMatch(/only our youth workers read it/);
    expect(t).toMatch(/may have to share it with people whose job is to keep children safe/);
    expect(t).toMatch(/talk to you about it first if they can/);
    expect(t).toMatch(/0800 1111/);
    expect(t).not.toMatch(JARGON);
  });
});
