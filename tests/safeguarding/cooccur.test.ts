import { createScreen, defaultScreen, LexiconError, parseLexicon } from '../../src/safeguarding';

const base = {
  version: 1,
  groups: { self: ['myself'] },
  entries: [{ id: 'suicide.kill_self', category: 'suicide', severity: 'high', patterns: ['kill @self'] }],
  concepts: {
    me: ['i', 'im'],
    act: ['jump', 'unaliv*', 'end+it'],
    when: ['tonight', 'going'],
    joke: ['lol'],
    hurt: ['hit'],
    victim: ['me'],
    adult: ['he'],
  },
  cooccur: [
    {
      id: 'cooccur.suicide.test',
      category: 'suicide',
      severity: 'high',
      all: ['@me', '@act'],
      any: ['@when'],
      window: 6,
      unless: ['@joke'],
    },
    {
      id: 'cooccur.abuse.test',
      category: 'abuse_physical',
      severity: 'medium',
      all: ['@adult', '@hurt', '@victim'],
      window: 5,
      ordered: true,
    },
  ],
};

describe('concept co-occurrence layer', () => {
  // The co-occurrence rules alone: the learned layer (model.ts) is trained for the bundled lexicon, not this one.
  const screen = createScreen(parseLexicon(base, 'test.json'), { model: null });

  it('fires when all concepts (and one "any") fall in the window of one sentence', () => {
    expect(screen.screen('im going to jump')).toMatchObject({
      alert: true,
      category: 'suicide',
      matched: ['cooccur.suicide.test'],
    });
    expect(screen.screen('i will unaliving tonight')).toMatchObject({ alert: true });
    expect(screen.screen('i am going to end it')).toMatchObject({ alert: true });
  });

  it('needs every concept, within the window, inside one sentence', () => {
    expect(screen.screen('im going to the shop')).toMatchObject({ alert: false });
    expect(screen.screen('im going to the shop and then maybe later on jump')).toMatchObject({ alert: false });
    expect(screen.screen('im going. jump')).toMatchObject({ alert: false });
  });

  it('is cancelled by an "unless" concept anywhere in the sentence', () => {
    expect(screen.screen('im going to jump lol')).toMatchObject({ alert: false });
    expect(screen.screen('lol. im going to jump')).toMatchObject({ alert: true });
  });

  it('never masks a phrase match', () => {
    expect(screen.screen('kill myself lol')).toMatchObject({ alert: true, matched: ['suicide.kill_self'] });
  });

  it('respects "ordered"', () => {
    expect(screen.screen('he hit me')).toMatchObject({ alert: true, category: 'abuse_physical' });
    expect(screen.screen('me hit he')).toMatchObject({ alert: false });
  });

  it.each([
    [{ concepts: { ...base.concepts, bad: ["don't"] } }, /concept "bad" term "don't".*not a single normalised token/],
    [{ concepts: { ...base.concepts, bad: ['ab*'] } }, /concept "bad" term "ab\*".*at least 3/],
    [{ concepts: { ...base.concepts, bad: ['a++b'] } }, /concept "bad" term "a\+\+b"/],
    [
      { cooccur: [{ ...base.cooccur[0], all: ['@me', '@nope'] }] },
      /cooccur rule 0 \(id "cooccur\.suicide\.test"\).*unknown concept "@nope"/,
    ],
    [{ cooccur: [{ ...base.cooccur[0], any: undefined, all: ['@me'] }] }, /cooccur rule 0 .*at least two concepts/],
    [
      { cooccur: [{ ...base.cooccur[0], window: 99 }] },
      /cooccur rule 0 \(id "cooccur\.suicide\.test"\) field "window"/,
    ],
    [{ cooccur: [{ ...base.cooccur[0], category: 'nope' }] }, /cooccur rule 0 .*field "category"/],
    [{ cooccur: [{ ...base.cooccur[0], id: 'suicide.kill_self' }] }, /cooccur rule 0 .*duplicate id/],
    [{ cooccur: [{ ...base.cooccur[0], all: ['me', '@act'] }] }, /cooccur rule 0 .*field "all.0"/],
  ])('rejects a bad concept or rule with a message naming it: %j', (change, message) => {
    const data = { ...base, ...change };
    expect(() => parseLexicon(data, 'test.json')).toThrow(LexiconError);
    expect(() => parseLexicon(data, 'test.json')).toThrow(message);
  });

  describe('bundled rules', () => {
    const bundled = defaultScreen();
    it.each([
      ['he gets into bed with me and does stuff i dont like', 'abuse_sexual'],
      ['razor blade in my pencil case for when it gets too much', 'self_harm'],
      ['theres no food again and mum hasnt been home since friday', 'neglect_danger'],
      ["i'm going to jump", 'suicide'],
      ['gonna do it tonite. sorry', 'suicide'],
    ])('catches a spread-out or implied disclosure: %s', (text, category) => {
      expect(bundled.screen(text)).toMatchObject({ alert: true, category });
    });

    it.each([
      'im going to jump in the pool at swimming tomorrow',
      'my mum will kill me if im late',
      'i cut my finger chopping onions for tea',
      'sorry for the long message, ill do it tonight after tea',
      'dad pushed me on the swing at the park',
      'i did mums insulin injection and checked her sugar levels',
    ])('stays quiet on everyday talk: %s', (text) => {
      expect(bundled.screen(text)).toMatchObject({ alert: false });
    });
  });
});
