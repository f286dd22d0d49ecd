import type { Choice } from './message';

/**
 * Numbered choices, both ways, in one place: how a channel without buttons shows them, and how the
 * engine reads a typed answer back ("2", "2.", or the title) as tapping that choice.
 */

/** The text with its choices as numbered options underneath (channels that cannot show buttons). */
export function renderNumberedChoices(text: string, choices: readonly Choice[] | undefined): string {
  if (!choices?.length) return text;
  const options = choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n');
  return `${text}\n\nReply with a number:\n${options}`;
}

/** The offered choice a typed answer picks (its number as rendered above, or its title), if any. */
export function pickTypedChoice(typedText: string, offered: readonly Choice[]): Choice | undefined {
  const typed = typedText.trim().toLowerCase().replace(/[.)]$/, '');
  const byNumber = /^\d{1,2}$/.test(typed) ? offered[Number(typed) - 1] : undefined;
  return byNumber ?? offered.find((c) => c.title.toLowerCase() === typed);
}
