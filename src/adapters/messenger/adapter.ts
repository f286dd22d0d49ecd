import { acceptInOrder } from '../kit/accept';
import { badAddress, isPermanentRefusal, refusedBeforeSending } from '../kit/refusal';
import { sendInParts } from '../kit/send-parts';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../kit/adapter';
import { PlatformRefusedError, errorFields } from '../../common/errors';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { ChannelAddress, OutboundMessage } from '../../engine/message';
import {
  GRAPH_CODES,
  MESSENGER_TEXT_LIMIT,
  graphEndpoint,
  type GraphEndpoint,
  PartProgress,
  hoursSince,
  postGraph,
  registerMetaWebhook,
  splitText,
  type GraphCodeTable,
} from '../meta';
import { parsePageEvent } from './events';
import { toQuickReplies, type MessagingMode } from './outgoing';

/** Messenger's own codes on top of the Graph API's: 551 "person isn't available", 1200 temporary failure. */
export const MESSENGER_CODES: GraphCodeTable = {
  rateLimited: [...GRAPH_CODES.rateLimited],
  unreachable: [551],
  temporary: [1200],
};

/** Replies longer than this (or in several parts) get a typing indicator first. */
export const SLOW_REPLY_CHARS = 300;

/** What the Messenger channel needs. */
export interface MessengerConfig {
  appSecret: string;
  verifyToken: string;
  pageAccessToken: string;
  /** Graph API base with a pinned version, e.g. https://graph.facebook.com/v21.0 */
  apiUrl: string;
  redis: Redis;
  keys: Keys;
  log: Logger;
}

const addressSchema = z.object({ psid: z.string().min(1) });

/**
 * The Facebook Messenger channel: Meta's webhook in (`/webhooks/messenger`), the Send API out
 * (`{MESSENGER_API_URL}/me/messages`), within Messenger's 24-hour window (and the HUMAN_AGENT tag
 * for staff within 7 days). Address: `{ psid }`.
 */
export class MessengerAdapter implements Adapter {
  readonly name = 'messenger' as const;
  private readonly progress: PartProgress;
  /** The Send API's address, read once. */
  private readonly endpoint: GraphEndpoint;
  private tokenRefused = false;

  constructor(private readonly c: MessengerConfig) {
    this.progress = new PartProgress(c.redis, c.keys, 'messenger');
    this.endpoint = graphEndpoint(`${c.apiUrl.replace(/\/+$/, '')}/me/messages`);
  }

  registerRoutes(app: FastifyInstance, ctx: AdapterContext): void {
    registerMetaWebhook(app, {
      path: '/webhooks/messenger',
      appSecret: this.c.appSecret,
      verifyToken: this.c.verifyToken,
      log: this.c.log,
      handle: async (body) => {
        const parsed = parsePageEvent(body);
        if (!parsed.ok) return parsed;
        const outcomes = await acceptInOrder(ctx, parsed.messages);
        // Built only when it will be written: production logs at info, and every webhook passes here.
        if (this.c.log.isLevelEnabled('debug'))
          this.c.log.debug({ ...outcomes, ignored: parsed.ignored, malformed: parsed.malformed }, 'messenger webhook');
        if (parsed.malformed) this.c.log.warn({ malformed: parsed.malformed }, 'messenger events not understood');
        return { ok: true };
      },
    });
  }

  /**
   * RESPONSE inside 24 h; HUMAN_AGENT inside 7 days for a message a member of staff wrote or
   * made (never for Haven's automated notices to staff: Meta keeps that tag for people);
   * CONFIRMED_EVENT_UPDATE for a reminder of a session the person arranged; otherwise null (not sent).
   */
  static modeFor(ctx: SendContext, now = Date.now()): MessagingMode | null {
    const hours = hoursSince(ctx.lastInboundAt, now);
    if (hours < 24) return { messaging_type: 'RESPONSE' };
    if (ctx.purpose === 'staff' && hours < 7 * 24) return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    if (ctx.purpose === 'event') return { messaging_type: 'MESSAGE_TAG', tag: 'CONFIRMED_EVENT_UPDATE' };
    return null;
  }

  async send(address: ChannelAddress, message: OutboundMessage, ctx: SendContext): Promise<void> {
    const a = addressSchema.safeParse(address);
    if (!a.success) {
      throw badAddress('Messenger');
    }
    const mode = MessengerAdapter.modeFor(ctx);
    if (!mode) {
      // Status 0: no request was made. Recorded by the sender, never retried.
      throw refusedBeforeSending(
        `outside Messenger's messaging window (purpose ${ctx.purpose}); not sent`,
        'OUTSIDE_WINDOW',
      );
    }
    const recipient = { id: a.data.psid };
    const parts = splitText(message.text, MESSENGER_TEXT_LIMIT);
    const quickReplies = toQuickReplies(message.choices);
    if (mode.messaging_type === 'RESPONSE' && (parts.length > 1 || message.text.length > SLOW_REPLY_CHARS)) {
      await this.typing(recipient);
    }
    const start = await sendInParts(this.progress, {
      recipient: `messenger:${a.data.psid}`,
      parts,
      send: (text, _i, last) =>
        this.call({
          recipient,
          ...mode,
          message: { text, ...(last && quickReplies ? { quick_replies: quickReplies } : {}) },
        }),
    });
    if (this.c.log.isLevelEnabled('debug'))
      this.c.log.debug({ parts: parts.length, resumedAt: start, type: mode.messaging_type }, 'messenger message sent');
  }

  /** The typing indicator: best effort, except that a person who cannot be reached stops the send. */
  private async typing(recipient: { id: string }): Promise<void> {
    try {
      await this.call({ recipient, sender_action: 'typing_on' });
    } catch (err) {
      if (isPermanentRefusal(err)) throw err;
      this.c.log.debug({ err: errorFields(err) }, 'typing indicator failed');
    }
  }

  private async call(body: unknown): Promise<unknown> {
    try {
      const result = await postGraph({
        url: this.endpoint,
        token: this.c.pageAccessToken,
        body,
        codes: MESSENGER_CODES,
        product: 'Messenger',
      });
      this.tokenRefused = false;
      return result;
    } catch (err) {
      if (err instanceof PlatformRefusedError && err.details.platformCode === 190) this.tokenRefused = true;
      throw err;
    }
  }

  status(): ChannelStatus {
    return this.tokenRefused
      ? {
          channel: 'messenger',
          state: 'down',
          detail: 'Meta refused the page access token (code 190): check MESSENGER_PAGE_ACCESS_TOKEN',
        }
      : { channel: 'messenger', state: 'ready' };
  }
}
