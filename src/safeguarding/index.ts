/**
 * The safeguarding screen: normalise text, match the lexicon, decide category and severity.
 * Run on every message before any flow; see `createScreen` for the decision rules.
 */
export { CATEGORIES, SEVERITIES, MAX_SCREEN_CHARS } from './types';
export type { Category, Severity, ScreenResult, Screen } from './types';
export { loadLexicon, parseLexicon, LexiconError } from './lexicon';
export type { Lexicon, LexiconEntry } from './lexicon';
export { createScreen, defaultScreen, normalise, compileLexicon } from './screen';
export { tokenise, foldText } from './normalise';
export { runScreenFilter } from './filter';
