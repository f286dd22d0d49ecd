import { createScreen, loadLexicon, MAX_SCREEN_CHARS, normalise } from '../../src/safeguarding';
import { createAnalyser } from '../../src/safeguarding/screen';

/** 32 different masked words that resolve to nothing (they use up a message's budget of masked words). */
const fillers = Array.from(
  { length: 32 },
  (_, i) => `q${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}*z`,
);
/** The 33rd different masked word of this message is only unmasked ("k*ll" → "kll"), not resolved. */
const overBudget = `${fillers.join(' ')}. i want to k*ll myself`;

const fit = (s: string): string => s.repeat(Math.ceil(MAX_SCREEN_CHARS / s.length)).slice(0, MAX_SCREEN_CHARS);

describe('the screen keeps no state between messages', () => {
  const texts = [
    'i want to k1ll myself tbh',
    'lol this homework is killing me',
    'my dad hits me when hes drunk',
    's*icide is a sad topic in class',
    '#iwanttodie',
    '#k*llmyself',
    'k i l l m y s e l f',
    'mum wont wake up and theres pills everywhere',
    overBudget,
    fit('i want to '),
    fit('s*i*c*d* k!ll 5u1c1d3 '),
  ];

  it('screens the same text the same way whatever was screened in between', () => {
    const fresh = texts.map((t) => JSON.stringify(createScreen(loadLexicon()).screen(t)));
    const screen = createScreen(loadLexicon());
    for (let round = 0; round < 3; round++) {
      const order = round === 1 ? [...texts.keys()].reverse() : [...texts.keys()];
      for (const i of order) {
        screen.screen('i want to k*ll myself'); // warms the memo for "k*ll"
        expect(JSON.stringify(screen.screen(texts[i] as string))).toBe(fresh[i]);
      }
    }
  });

  it('spends the budget of masked words per message, counting words repaired before', () => {
    const screen = createScreen(loadLexicon(), { model: null });
    const first = screen.screen(overBudget);
    expect(screen.screen('i want to k*ll myself')).toMatchObject({ alert: true, matched: ['suicide.kill_self'] });
    expect(screen.screen(overBudget)).toEqual(first);
    expect(normalise(overBudget).endsWith('i want to kll myself')).toBe(true);
    expect(normalise('i want to k*ll myself')).toBe('i want to kill myself');
    expect(normalise(overBudget).endsWith('i want to kll myself')).toBe(true);
  });

  it('gives the trainer the same analysis twice', () => {
    const analyse = createAnalyser(loadLexicon());
    const once = texts.map((t) => analyse(t));
    expect(texts.map((t) => analyse(t))).toEqual(once);
  });
});
