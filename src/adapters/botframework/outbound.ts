import { ActionTypes, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import { PlatformRefusedError, PlatformUnavailableError } from '../../common/errors';
import type { OutboundMessage } from '../../engine/message';

/** Teams shows at most three suggested actions; others show more, but menus stay short. */
const MAX_SUGGESTED = 6;

/**
 * One Haven message as a Bot Framework message activity. Choices become suggested actions of
 * type `imBack` (the only kind Teams renders) whose value is the title: the person sees their tap
 * as their own words, and {@link ChoiceMemory} maps the title back to the payload.
 */
export function toReplyActivity(message: OutboundMessage): Partial<Activity> {
  const choices = (message.choices ?? []).slice(0, MAX_SUGGESTED);
  if (!choices.length) return MessageFactory.text(message.text);
  const actions: CardAction[] = choices.map((c) => ({ type: ActionTypes.ImBack, title: c.title, value: c.title }));
  return MessageFactory.suggestedActions(actions, message.text);
}

/** The shape of the errors botbuilder's connector client throws (`RestError`). */
interface ConnectorError {
  statusCode?: number;
  code?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

function retryAfterMs(err: ConnectorError): number | undefined {
  const h = err.response?.headers?.get?.('retry-after');
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 3600_000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, Math.min(at - Date.now(), 3600_000)) : undefined;
}

/**
 * Turns what botbuilder threw into Haven's errors: 429 → refused with `retryAfterMs`; 401, 403
 * and 404 → refused for good; other 4xx → refused; 5xx, network and token failures → unavailable
 * (retried with backoff). Messages carry the status only, never the platform's text.
 */
export function mapSendError(err: unknown): Error {
  const e = (err ?? {}) as ConnectorError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const platformCode = typeof e.code === 'string' ? e.code.slice(0, 64) : undefined;
  if (status === 429) {
    return new PlatformRefusedError('Bot Connector rate limit (429)', 429, {
      platformCode,
      retryAfterMs: retryAfterMs(e) ?? 5000,
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    const permanent = status === 401 || status === 403 || status === 404;
    return new PlatformRefusedError(`Bot Connector refused the message (${status})`, status, {
      platformCode,
      permanent,
    });
  }
  const what =
    status !== undefined
      ? `Bot Connector answered ${status}`
      : `Bot Connector unreachable (${platformCode ?? 'error'})`;
  return new PlatformUnavailableError(what, {
    cause: err,
    retryAfterMs: status !== undefined ? retryAfterMs(e) : undefined,
  });
}
