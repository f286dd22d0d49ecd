import { createHmac, randomInt } from 'node:crypto';
import { unflaggedCode } from '../../safeguarding/unflagged';

/**
 * Letters and digits that cannot be mistaken for one another when read off paper or a phone:
 * no 0/O/Q/D, 1/I/L, 5/S, 2/Z, 8/B, U/V.
 */
export const JOIN_CODE_ALPHABET = 'ACEFGHJKMNPRTWXY34679';

/** Characters in a join code. */
export const JOIN_CODE_LENGTH = 8;

/** Draws of a join code before {@link newJoinCode} gives up (each is flagged about 1 time in 3,000). */
export const JOIN_CODE_MAX_DRAWS = 50;

/**
 * A fresh random join code, e.g. `K7MXPR3H`, that the safeguarding screen does not flag however its
 * owner types it ({@link joinCodeAsTyped}): a random code can spell something (`R4PE-XP79`,
 * `FGM6-NHYM`), and a young person sending their own code would then be answered as if they were
 * at risk, and staff alerted. Such a code is drawn again. `pick(n)` gives a random whole number
 * from 0 to n - 1 (tests pass their own).
 */
export function newJoinCode(pick: (n: number) => number = randomInt): string {
  const draw = () => {
    let code = '';
    for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[pick(JOIN_CODE_ALPHABET.length)];
    return code;
  };
  return unflaggedCode(draw, joinCodeAsTyped, JOIN_CODE_MAX_DRAWS, 'join code');
}

/**
 * The ways someone might send a code: as printed, split in two by a dash or a space, in upper,
 * lower or mixed case, on its own and after "join ".
 */
export function joinCodeAsTyped(code: string): string[] {
  const [head, tail] = [code.slice(0, JOIN_CODE_LENGTH / 2), code.slice(JOIN_CODE_LENGTH / 2)];
  const out: string[] = [];
  for (const sep of ['', '-', ' ']) {
    const upper = `${head}${sep}${tail}`;
    for (const form of [upper, upper.toLowerCase(), `${head.toLowerCase()}${sep}${tail}`])
      out.push(form, `join ${form}`);
  }
  return out;
}

/**
 * A code as someone typed it, made comparable: upper case, spaces and dashes dropped. Returns
 * null when what is left cannot be a join code.
 */
export function normaliseJoinCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s\-_.]/g, '');
  return code.length === JOIN_CODE_LENGTH && /^[A-Z0-9]+$/.test(code) ? code : null;
}

/** What is stored for a code: a keyed hash, so a copy of Redis does not reveal live codes. */
export function hashJoinCode(code: string, secret: string): string {
  return createHmac('sha256', secret).update(`join:${code}`).digest('base64url').slice(0, 32);
}
