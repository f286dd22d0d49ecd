import { loadLexicon, normalise, tokenise } from '../../src/safeguarding';
import { compileLexicon, DICTIONARY_WORDS } from '../../src/safeguarding/screen';

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

describe('real words are not repaired into other words (dictionary-words.json)', () => {
  it.each([
    ['mum raised her voice at me', 'mum raised her voice at me'],
    ['i blocked him on snap', 'i blocked him on snap'],
    ['we went trick or treat', 'we went trick or treat'],
    ['the torches are ready for the storm', 'the torches are ready for the storm'],
    ['we buried the hamster in the garden', 'we buried the hamster in the garden'],
    ['splashed paint on my jeans', 'splashed paint on my jeans'],
    ['i love haven', 'i love haven'],
    ['my mate is in crisis club', 'my mate is in crisis club'],
  ])('"%s" is kept as written', (input, expected) => {
    expect(normalise(input)).toBe(expected);
  });

  it.each([
    ['a misspelling', 'sucide', 'suicide'],
    ['an alias', 'kinda scared', 'kind of scared'],
    ['slang the repair reads rightly', 'he was belting me', 'he was beating me'],
  ])('%s is still repaired', (_what, input, expected) => {
    expect(normalise(input)).toBe(expected);
  });

  it('holds only lower-case words the repair would change, none of them a lexicon word or alias', () => {
    const lexicon = loadLexicon();
    const { vocabulary } = compileLexicon(lexicon, { dictionaryWords: [] });
    const aliases = new Set(Object.keys(lexicon.aliases));
    expect(DICTIONARY_WORDS.length).toBeGreaterThan(1000);
    for (const word of DICTIONARY_WORDS) {
      expect({ word, alias: aliases.has(word) }).toEqual({ word, alias: false });
      // Without the list, the repair changes it; with it, the word is kept.
      expect({ word, changed: vocabulary.repair([word]).join(' ') !== word }).toEqual({ word, changed: true });
      expect(normalise(word)).toBe(word);
    }
  });
});
