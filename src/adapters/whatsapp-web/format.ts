import { renderNumberedChoices } from '../../engine/choices';
import type { OutboundMessage } from '../../engine/message';

/**
 * The text as WhatsApp Web shows it: choices become numbered options (web clients cannot send
 * buttons or lists); the engine maps a typed number (or title) back to the choice.
 */
export function withNumberedChoices(message: OutboundMessage): string {
  return renderNumberedChoices(message.text, message.choices);
}
