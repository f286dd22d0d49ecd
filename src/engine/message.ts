import type { ScreenResult } from '../safeguarding/types';

/**
 * A channel's name (`webchat`, `messenger`, `botframework`, `whatsapp`, `whatsapp-cloud`...). The
 * list of channels lives in the channel registry (src/adapters/registry.ts), which the engine never
 * imports: to the engine a channel name is an opaque tag that picks the adapter to send through.
 */
export type ChannelName = string;

/** Longest message text Haven accepts from anyone. */
export const MAX_TEXT_CHARS = 4096;

/**
 * One thing a person did on a platform, as an adapter hands it to {@link Ingest}.
 * `senderId` is the raw platform id: it never leaves the ingest step (it becomes a pseudonym).
 */
export interface InboundMessage {
  channel: ChannelName;
  /** The platform's id for this message: retries of the same id are folded. */
  messageId: string;
  /** The platform's id for the sender (PSID, phone chat id, Bot Framework user id, browser id). */
  senderId: string;
  /**
   * `text`: something they typed; `choice`: a quick reply, postback or button tap (its payload in
   * `payload`); `media`: an attachment Haven cannot read (its caption, if any, in `text`, screened
   * like any message); `start`: the person opened the
   * conversation (Get Started, conversationUpdate) without saying anything.
   */
  kind: 'text' | 'choice' | 'media' | 'start';
  text: string;
  payload?: string;
  /** When the platform says it was sent (ms since epoch). */
  sentAt: number;
  /**
   * What the channel needs to reach this person later (a Bot Framework conversation reference,
   * a WhatsApp chat id...). Stored encrypted; only the adapter that made it reads it.
   */
  address: ChannelAddress;
  /**
   * The network address the message came from, where the channel sees the sender's own (the web
   * chat; never a platform's servers). Only its keyed hash is kept ({@link InboundJob.origin}).
   */
  origin?: string;
}

/** Adapter-owned data needed to send to one person; opaque to everything but its adapter. */
export type ChannelAddress = Record<string, unknown>;

/** A button-like choice: channels render these as quick replies, suggested actions or numbered options. */
export interface Choice {
  title: string;
  payload: string;
}

/** One message Haven sends. */
export interface OutboundMessage {
  text: string;
  choices?: Choice[];
}

/**
 * Why a message is sent, which platforms' messaging windows care about: `response` answers the
 * person's own message; `staff` is a person at the charity writing (Messenger HUMAN_AGENT);
 * `event` is a reminder of a session staff arranged with them (Messenger CONFIRMED_EVENT_UPDATE);
 * `notice` is anything else Haven sends unprompted (refreshers); `staff_notice` is Haven telling
 * a member of staff something (an alert, a new request): automated, so never sent under a
 * human-agent tag. `event` and `notice` are non-essential: someone who said "stop" gets neither.
 */
export type SendPurpose = 'response' | 'staff' | 'event' | 'notice' | 'staff_notice';

/** The name of the inbound queue's one kind of job. */
export const INBOUND_JOB = 'message';

/** What the inbound queue carries for one accepted message: ids, the text, the screen result. */
export interface InboundJob {
  channel: ChannelName;
  messageId: string;
  /** Pseudonymous conversation id (see engine/identity). */
  conversationId: string;
  kind: InboundMessage['kind'];
  text: string;
  payload?: string;
  sentAt: number;
  acceptedAt: number;
  screen: ScreenResult;
  /** Set when the screen raised an alert for this message. */
  alertId?: string;
  /** A keyed hash of the network address it came from, where the channel knows it (limits guessing). */
  origin?: string;
}

/** What the outbound queue carries for one message to send. */
export interface OutboundJob {
  channel: ChannelName;
  conversationId: string;
  message: OutboundMessage;
  /** More messages sent after `message`, in order (several replies to one message). */
  followUps?: OutboundMessage[];
  /** How many of `message` + `followUps` were already sent (kept across retries). */
  sentParts?: number;
  purpose: SendPurpose;
  /** For tracing: the inbound message or other cause this answers. */
  cause?: string;
  /** An `event` or `notice` sent even to someone who said "stop" (see Outbox's SendOptions). */
  essential?: boolean;
  /** Who is told what became of this message (see {@link SendOwner}); derived from `cause` when absent. */
  owner?: SendOwner;
  /**
   * The message is written by its owner when it is sent (the sender's `render`), so the job holds
   * ids, never the words: an alert's notice to staff quotes the young person.
   */
  renderAtSend?: boolean;
}

/**
 * Who a message belongs to, and so who hears the platform's answer: an alert's notice to one
 * staff target at one level, a message about a one-to-one request, a coordinator's notice, a reply
 * to someone's message, or anything else Haven says in a conversation.
 */
export type SendOwner =
  | { kind: 'alert'; alertId: string; level: number; target: string; hurried?: boolean }
  | { kind: 'request'; requestId: string }
  | { kind: 'coordinator'; notice: string }
  | { kind: 'reply'; messageId: string }
  | { kind: 'conversation'; conversationId: string };

/**
 * The platform's answer for one message, reported to its owner: `delivered` once the platform
 * accepted it; otherwise why not, and whether that is the end (`final`) or it is being tried again.
 */
export interface SendOutcome {
  owner: SendOwner;
  conversationId: string;
  channel: ChannelName;
  delivered: boolean;
  final: boolean;
  reason?: string;
}

/** The owner of a message from its cause key (the outbox's job key), for messages queued without one. */
export function ownerFromCause(cause: string | undefined, conversationId: string): SendOwner {
  const c = cause ?? '';
  const request = /^(?:req|reminder):([^:]+):/.exec(c);
  if (request) return { kind: 'request', requestId: request[1] as string };
  const alert = /^alert:([^:]+):(\d+):(.+)$/.exec(c);
  if (alert) return { kind: 'alert', alertId: alert[1] as string, level: Number(alert[2]), target: alert[3] as string };
  if (c.startsWith('coord:')) return { kind: 'coordinator', notice: c.slice('coord:'.length) };
  return { kind: 'conversation', conversationId };
}

/** The payloads of the main menu, shared by the help flow and channels with a persistent menu. */
export const MENU = {
  request: 'MENU_REQUEST',
  safety: 'MENU_SAFETY',
  worried: 'MENU_WORRIED',
  help: 'MENU_HELP',
  /** Message a youth worker now: opens a conversation in the staff inbox. */
  person: 'MENU_PERSON',
} as const;
