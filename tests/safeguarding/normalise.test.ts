import { normalise, tokenise } from '../../src/safeguarding';

describe('normalise', () => {
  it.each([
    ['NFKC and lower case', 'ＫＩＬＬ MYSELF', 'kill myself'],
    ['zero-width and joiner characters removed', 'su\u200bici\u200dde', 'suicide'],
    ['accents stripped', 'suïcidé', 'suicide'],
    ['Cyrillic look-alikes folded', 'kіll myѕelf', 'kill myself'],
    ['leet digits inside a word', 'su1c1dal', 'suicidal'],
    ['leet symbols inside a word', 'k!ll my$elf', 'kill myself'],
    ['leading $ is a letter', '$uicide', 'suicide'],
    ['emphasis collapsed', 'kiiiiill myseeeelf', 'kill myself'],
    ['emphasis collapsed on a plain word', 'sooooo', 'so'],
    ['spaced-out letters joined', 's u i c i d e', 'suicide'],
    ['dotted letters joined and split into words', 'k.i.l.l m.y.s.e.l.f', 'kill myself'],
    ['masked letters resolved', 's*icide', 'suicide'],
    ['masked letters resolved to the lexicon word', 'c*tting', 'cutting'],
    ['a dropped double letter', 'i want to kil myself', 'i want to kill myself'],
    ['a one-letter typo on a long word', 'he punchd me in the stomch', 'he punched me in the stomach'],
    ['apostrophes dropped', "i'm scared, he's drunk", 'im scared hes drunk'],
    ['run-together hashtag split', '#iwanttodie', 'i want to die'],
    ['alias', 'selfharm', 'self harm'],
  ])('%s', (_what, input, expected) => {
    expect(normalise(input)).toBe(expected);
  });

  it('keeps numbers as numbers', () => {
    expect(normalise('a man offered me £300')).toBe('a man offered me £ 300');
    expect(normalise('we won 5-0')).toBe('we won 5 0');
    expect(normalise('back in 10 days')).toBe('back in 10 days');
    expect(normalise('took 20mg')).toBe('took 20 mg');
    expect(normalise('see you at 3am')).toBe('see you at 3 am');
  });

  it('folds a leet digit at a word edge only when that makes a lexicon word', () => {
    expect(normalise('3nd it all')).toBe('end it all');
    expect(normalise('the 1st time')).toBe('the 1 st time');
  });

  it('keeps meaningful emoji as tokens and drops skin tones and variation selectors', () => {
    expect(tokenise('took them all 💊💊 🔪🏽')).toEqual(['took', 'them', 'all', '💊', '💊', '🔪']);
    expect(tokenise('🩸🪢')).toEqual(['🩸', '🪢']);
  });

  it('marks sentence boundaries', () => {
    expect(tokenise('lol. i want to die!! ok?')).toEqual(['lol', '.', 'i', 'want', 'to', 'die', '.', 'ok']);
  });

  it('does not turn "shhh" into the self-harm abbreviation', () => {
    expect(normalise('shhhhh')).not.toBe('sh');
  });

  it('caps input at 4096 characters', () => {
    const long = 'a '.repeat(5000) + 'suicide';
    expect(normalise(long)).not.toContain('suicide');
  });
});

describe('carers’ words are not typo-corrected into lexicon words', () => {
  it.each(['caring', 'carer', 'sharing', 'staring'])('%s stays as written', (w) => {
    expect(normalise(`im tired from ${w} for nan`)).toBe(`im tired from ${w} for nan`);
  });
});

describe('everyday words one letter from a lexicon word stay as written', () => {
  it('"noses" is not read as "nooses"', () => {
    expect(normalise('everyone in photos has nicer noses than me')).toBe('everyone in photos has nicer noses than me');
  });
});
