import {
  JOIN_CODE_ALPHABET,
  JOIN_CODE_LENGTH,
  JOIN_CODE_MAX_DRAWS,
  joinCodeAsTyped,
  newJoinCode,
} from '../../src/domain/members/join-code';
import { defaultScreen } from '../../src/safeguarding/screen';

const screen = defaultScreen();
const flagged = (typed: string) => screen.screen(typed).alert;

/** A random source that yields these codes' letters in turn, and counts the codes drawn. */
function drawing(...codes: string[]) {
  const queue = codes.flatMap((c) => [...c].map((ch) => JOIN_CODE_ALPHABET.indexOf(ch)));
  let picked = 0;
  const pick = (n: number): number => {
    expect(n).toBe(JOIN_CODE_ALPHABET.length);
    const next = queue.shift();
    if (next === undefined) throw new Error('the test random source ran out');
    picked++;
    return next;
  };
  return { pick, draws: () => picked / JOIN_CODE_LENGTH };
}

describe('newJoinCode', () => {
  it('draws again while the code, as a young person would send it, is flagged by the safeguarding screen', () => {
    // Codes a random draw can give that the screen flags in one of the ways they are typed. Checked
    // here, so this test keeps meaning what it says if the screen changes.
    expect(flagged('join R4PE-XP79')).toBe(true); // with the dash
    expect(flagged('join kkk3-yyxa')).toBe(true); // lower case, after "join "
    expect(flagged('join 94n9-RG3N')).toBe(true); // after "join " only
    expect(flagged('FGM6 NHYM')).toBe(true); // split by a space
    const random = drawing('R4PEXP79', 'KKK3YYXA', '94N9RG3N', 'FGM6NHYM', 'K7MXPR3H');
    const code = newJoinCode(random.pick);
    expect(code).toBe('K7MXPR3H');
    expect(random.draws()).toBe(5);
    expect(joinCodeAsTyped(code).filter(flagged)).toEqual([]);
  });

  it('lists the ways a code is typed: dash, space, cases, with and without "join "', () => {
    const forms = joinCodeAsTyped('K7MXPR3H');
    for (const f of ['K7MXPR3H', 'K7MX-PR3H', 'k7mx-pr3h', 'k7mx-PR3H', 'K7MX PR3H', 'join K7MX-PR3H', 'join k7mxpr3h'])
      expect(forms).toContain(f);
  });

  it('gives up with a clear error rather than draw forever', () => {
    const random = drawing(...Array.from({ length: JOIN_CODE_MAX_DRAWS + 1 }, () => 'R4PEXP79'));
    expect(() => newJoinCode(random.pick)).toThrow(/no join code the safeguarding screen does not flag in 50 draws/);
    expect(random.draws()).toBe(JOIN_CODE_MAX_DRAWS);
  });

  it('with the real random source gives well-formed codes the screen does not flag', () => {
    for (let i = 0; i < 200; i++) {
      const code = newJoinCode();
      expect(code).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`));
      expect(joinCodeAsTyped(code).filter(flagged)).toEqual([]);
    }
  });
});
