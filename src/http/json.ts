import sjson from 'secure-json-parse';
import { HavenError } from '../common/errors';

/** Deepest nesting of arrays and objects accepted in a request body: platforms send under 10. */
export const MAX_JSON_DEPTH = 32;

/** Raised for a body that is not JSON, or nested deeper than {@link MAX_JSON_DEPTH}. */
export class BadJsonError extends HavenError {
  constructor(message: string) {
    super(message, 'BAD_JSON', { permanent: true });
  }
}

/**
 * True when `text` nests arrays or objects deeper than `max` (brackets inside strings are not
 * counted). One pass, no allocation: cheap enough to run before every parse.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/**
 * JSON for request bodies: refuses nesting deeper than {@link MAX_JSON_DEPTH} (a deeply nested
 * body costs memory and stack in every later walk over it) before parsing, and `__proto__` or
 * `constructor.prototype` keys (secure-json-parse, as Fastify's own parser does).
 * @throws BadJsonError saying which
 */
export function parseJsonBody(text: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    throw new BadJsonError(`body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new BadJsonError('body is not JSON');
  }
}
