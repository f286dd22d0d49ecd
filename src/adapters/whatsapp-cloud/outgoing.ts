import { renderNumberedChoices } from '../../engine/choices';
import type { Choice } from '../../engine/message';

/** Reply buttons: at most 3, titles at most 20 characters; the body text of such a message at most 1,024. */
export const MAX_BUTTONS = 3;
export const BUTTON_TITLE_MAX = 20;
export const INTERACTIVE_BODY_MAX = 1024;

/** True when the choices fit WhatsApp's reply buttons as they are. */
export function fitsButtons(choices: readonly Choice[] | undefined): choices is Choice[] {
  return (
    !!choices?.length &&
    choices.length <= MAX_BUTTONS &&
    choices.every(
      (c) => c.title.trim().length > 0 && c.title.trim().length <= BUTTON_TITLE_MAX && c.payload.length <= 256,
    )
  );
}

/** Choices as a numbered list after the text (the engine reads a typed number or title as that choice). */
export function withNumberedChoices(text: string, choices: readonly Choice[] | undefined): string {
  return renderNumberedChoices(text, choices);
}

/** A text message body for `POST /{phone-number-id}/messages`. */
export function textMessage(to: string, body: string): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { preview_url: false, body },
  };
}

/** An interactive reply-button message body. */
export function buttonMessage(to: string, body: string, choices: readonly Choice[]): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: body },
      action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.payload, title: c.title.trim() } })) },
    },
  };
}
