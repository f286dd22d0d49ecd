/**
 * Common text-speak, spelled out, so that the flows' recognisers match what young people type on
 * phones ("can i tlk 2 sum1", "wat do u keep", "rules pls"). Whole words only.
 */
const TEXT_SPEAK: Readonly<Record<string, string>> = {
  u: 'you',
  ya: 'you',
  ur: 'your',
  r: 'are',
  wat: 'what',
  wot: 'what',
  wut: 'what',
  wats: 'whats',
  wots: 'whats',
  tlk: 'talk',
  tok: 'talk',
  spk: 'speak',
  sum1: 'someone',
  some1: 'someone',
  any1: 'anyone',
  sumone: 'someone',
  ppl: 'people',
  cn: 'can',
  cud: 'could',
  plz: 'please',
  pls: 'please',
  plss: 'please',
  wiv: 'with',
  wiz: 'with',
  abt: 'about',
  bout: 'about',
  thx: 'thanks',
  ty: 'thanks',
  ta: 'thanks',
  wotsapp: 'whatsapp',
  watsapp: 'whatsapp',
  whatsap: 'whatsapp',
  watsap: 'whatsapp',
};

/**
 * What someone said, for matching commands: lower case, curly quotes straightened, text-speak
 * spelled out, single spaces, no trailing punctuation, emoji or "please".
 */
export function plainSaid(input: string): string {
  // Several flows ask this of the same message in one turn: the last answer is kept.
  if (input === lastSaid.input) return lastSaid.plain;
  const plain = plainSaidOf(input);
  lastSaid = { input, plain };
  return plain;
}

let lastSaid = { input: '', plain: '' };

function plainSaidOf(input: string): string {
  const words = input
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[\p{Extended_Pictographic}\u{FE0F}\u{200D}]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const bare = w.replace(/[.!?,]+$/, '');
      const spelled = TEXT_SPEAK[bare];
      return spelled ? spelled + w.slice(bare.length) : w;
    });
  return words
    .join(' ')
    .replace(/[.!?,\s]+$/, '')
    .replace(/^please\s+|\s+please$/g, '')
    .trim();
}
