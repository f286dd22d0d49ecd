import { createHmac, randomInt } from 'node:crypto';

/**
 * Letters and digits that cannot be mistaken for one another when read off paper or a phone:
 * no 0/O/Q/D, 1/I/L, 5/S, 2/Z, 8/B, U/V.
 */
export const JOIN_CODE_ALPHABET = 'ACEFGHJKMNPRTWXY34679';

/** Characters in a join code. */
export const JOIN_CODE_LENGTH = 8;

/** A fresh random join code, e.g. `K7MXPR3H`. */
export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
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
