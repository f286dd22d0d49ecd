import { ACK_CODE_ALPHABET, ACK_CODE_MAX_DRAWS, newAckCode } from '../../src/domain/alerts/store';
import { defaultScreen } from '../../src/safeguarding/screen';

const screen = defaultScreen();
const flagged = (typed: string) => screen.screen(typed).alert;
const asTyped = (code: string) => [code, code.toLowerCase(), `ack ${code}`, `ack ${code.toLowerCase()}`];

/** A random source that yields these codes' letters in turn, and counts the codes drawn. */
function drawing(...codes: string[]) {
  const queue = [...codes];
  let drawn = 0;
  const bytes = (size: number): Uint8Array => {
    const code = queue.shift();
    if (code === undefined) throw new Error('the test random source ran out');
    expect(size).toBe(code.length);
    drawn++;
    return Uint8Array.from([...code], (ch) => ACK_CODE_ALPHABET.indexOf(ch));
  };
  return { bytes, draws: () => drawn };
}

describe('newAckCode', () => {
  it('draws again while the code, as staff would send it, is flagged by the safeguarding screen', () => {
    // Codes a random draw can give that the screen flags: checked here, so this test keeps meaning
    // what it says if the screen changes.
    expect(flagged('ack 3RAPE')).toBe(true);
    expect(flagged('ack ctb52')).toBe(true);
    const random = drawing('3RAPE', 'CTB52', 'K7MXP');
    const code = newAckCode(random.bytes);
    expect(code).toBe('K7MXP');
    expect(random.draws()).toBe(3);
    expect(asTyped(code).filter(flagged)).toEqual([]);
  });

  it('gives up with a clear error rather than draw forever', () => {
    const random = drawing(...Array.from({ length: ACK_CODE_MAX_DRAWS + 1 }, () => '3RAPE'));
    expect(() => newAckCode(random.bytes)).toThrow(
      /no acknowledgement code the safeguarding screen does not flag in 50 draws/,
    );
    expect(random.draws()).toBe(ACK_CODE_MAX_DRAWS);
  });

  it('with the real random source gives well-formed codes the screen does not flag', () => {
    for (let i = 0; i < 500; i++) {
      const code = newAckCode();
      expect(code).toMatch(new RegExp(`^[${ACK_CODE_ALPHABET}]{5}$`));
      expect(asTyped(code).filter(flagged)).toEqual([]);
    }
  });
});
