import type { OutboundMessage } from '../../engine/message';

/**
 * The text as WhatsApp Web shows it: choices become numbered options (web clients cannot send
 * buttons or lists); the engine maps a typed number (or title) back to the choice.
 */
export function withNumberedChoices(message: OutboundMessage): string {
  const choices = message.choices ?? [];
  if (!choices.length) return message.text;
  const options = choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n');
  return `${message.text}\n\nReply with a number:\n${options}`;
}
