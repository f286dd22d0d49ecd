import { compileLexicon, loadLexicon, parseLexicon, type Lexicon } from '../../src/safeguarding';
import type { Hit } from '../../src/safeguarding/matcher';
import { BOUNDARY } from '../../src/safeguarding/normalise';
import { parsePattern, type Step } from '../../src/safeguarding/pattern';
import { prng } from '../../scripts/screen/train';

/**
 * The phrase matcher against a plain reading of the pattern rules: step s is reached at token i when it accepts
 * the token and step s−1 was reached at some earlier token of the same sentence at most gap(s) tokens before;
 * an entry hits a sentence when the last step of one of its variants is reached there. Hits come in the order
 * they are completed, entries completed at the same token in the lexicon's order.
 */
function reference(variants: readonly (readonly Step[][])[], texts: readonly string[]): Hit[] {
  const accepts = (step: Step, t: string): boolean =>
    step.words.has(t) ||
    step.prefixes.some((p) => t.startsWith(p)) ||
    (step.minNumber !== null && /^[0-9]{1,9}$/.test(t) && Number(t) >= step.minNumber);
  const found: { entry: number; sentence: number; at: number }[] = [];
  variants.forEach((entryVariants, index) => {
    let sentence = 0;
    let start = 0;
    for (let end = 0; end <= texts.length; end++) {
      if (end < texts.length && texts[end] !== BOUNDARY) continue;
      let first = Infinity;
      for (const steps of entryVariants) {
        // reached[s][i]: step s reached at token start + i.
        let prev: boolean[] | null = null;
        for (const step of steps) {
          if (prev !== null && !prev.includes(true)) break;
          const now: boolean[] = [];
          for (let i = start; i < end; i++) {
            let ok = accepts(step, texts[i] as string);
            if (ok && prev !== null) {
              ok = false;
              for (let j = Math.max(start, i - step.gap - 1); j < i; j++) if (prev[j - start]) ok = true;
            }
            now.push(ok);
          }
          prev = now;
        }
        const done = (prev ?? []).indexOf(true);
        if (done >= 0) first = Math.min(first, start + done);
      }
      if (first < Infinity) found.push({ entry: index, sentence, at: first });
      sentence++;
      start = end + 1;
    }
  });
  found.sort((a, b) => a.at - b.at || a.entry - b.entry);
  return found.map(({ entry, sentence }) => ({ entry, sentence }));
}

/** Each entry's pattern variants, as steps. */
function variantsOf(lexicon: Lexicon): Step[][][] {
  const groups = new Map(Object.entries(lexicon.groups).map(([k, v]) => [k, new Set(v)] as const));
  return lexicon.entries.map((e) => e.patterns.flatMap((p) => parsePattern(p, groups)));
}

/**
 * Token streams that exercise the matcher: pieces of real pattern variants (their words, stems completed,
 * numbers) with fillers in between, sentence boundaries, and words that start many patterns.
 */
function streams(byEntry: readonly (readonly Step[][])[], count: number, seed: number): string[][] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const variants = byEntry.flat();
  const fillers = ['the', 'and', 'lol', 'i', 'my', 'want', 'go', 'me', 'he', 'she', 'so', 'really', '3', '40'];
  const out: string[][] = [];
  for (let n = 0; n < count; n++) {
    const tokens: string[] = [];
    const pieces = 1 + Math.floor(rand() * (n % 10 === 0 ? 40 : 5));
    for (let p = 0; p < pieces; p++) {
      const steps = pick(variants);
      for (const step of steps) {
        const skip = Math.floor(rand() * (step.gap + 2));
        for (let k = 0; k < skip; k++) tokens.push(pick(fillers));
        if (rand() < 0.08) continue; // a step left out
        const choices = [...step.words, ...step.prefixes.map((s) => `${s}ing`)];
        if (step.minNumber !== null) choices.push(String(step.minNumber + Math.floor(rand() * 3)));
        if (choices.length > 0) tokens.push(pick(choices));
      }
      if (rand() < 0.3) tokens.push(BOUNDARY);
    }
    out.push(tokens);
  }
  return out;
}

describe('phrase matcher', () => {
  it('finds exactly the hits the pattern rules define, in order, on the bundled lexicon', () => {
    const lexicon = loadLexicon();
    const { matcher, tokens } = compileLexicon(lexicon);
    const variants = variantsOf(lexicon);
    let hits = 0;
    for (const texts of streams(variants, 1500, 20261207)) {
      const expected = reference(variants, texts);
      expect({ texts, hits: matcher.run(tokens.internAll(texts)) }).toEqual({ texts, hits: expected });
      hits += expected.length;
    }
    // The streams are built from real patterns, so most of them hit something.
    expect(hits).toBeGreaterThan(1500);
  });

  it('reads a first step from every word that starts it, and lists entries completed together in lexicon order', () => {
    const lexicon = parseLexicon(
      {
        version: 1,
        groups: { want: ['want', 'wanna', 'wnt'] },
        entries: [
          { id: 'suicide.b', category: 'suicide', severity: 'high', patterns: ['@want ~2 die'] },
          { id: 'suicide.a', category: 'suicide', severity: 'high', patterns: ['want to die', 'die'] },
          { id: 'self_harm.c', category: 'self_harm', severity: 'high', patterns: ['wnt ~1 die'] },
        ],
      },
      'test.json',
    );
    const { matcher, tokens } = compileLexicon(lexicon);
    const run = (text: string): Hit[] => matcher.run(tokens.internAll(text.split(' ')));
    // "die" completes all three at once: lexicon order, whatever order the steps were found in.
    expect(run('i wnt to die')).toEqual([
      { entry: 0, sentence: 0 },
      { entry: 1, sentence: 0 },
      { entry: 2, sentence: 0 },
    ]);
    // The group's first step is reached by "wanna" although "want" came first; too far apart, no hit.
    expect(run('want lol wanna so die')).toEqual([
      { entry: 0, sentence: 0 },
      { entry: 1, sentence: 0 },
    ]);
    expect(run('wanna a b c die')).toEqual([{ entry: 1, sentence: 0 }]);
    // A boundary ends the sentence: nothing carries over.
    expect(run(`wanna ${BOUNDARY} die`)).toEqual([{ entry: 1, sentence: 1 }]);
  });
});
