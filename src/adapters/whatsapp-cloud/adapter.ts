import { acceptInOrder } from '../kit/accept';
import { badAddress, refusedBeforeSending } from '../kit/refusal';
import { sendInParts } from '../kit/send-parts';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../kit/adapter';
import { PlatformRefusedError } from '../../common/errors';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { ChannelAddress, OutboundMessage } from '../../engine/message';
import {
  GRAPH_CODES,
  PartProgress,
  WHATSAPP_TEXT_LIMIT,
  hoursSince,
  postGraph,
  graphEndpoint,
  type GraphEndpoint,
  registerMetaWebhook,
  splitText,
  type GraphCodeTable,
} from '../meta';
import { parseWabaEvent } from './events';
import { INTERACTIVE_BODY_MAX, buttonMessage, fitsButtons, textMessage, withNumberedChoices } from './outgoing';

/**
 * Cloud API codes on top of the Graph API's: 80007, 130429, 131056 rate limits; 131026
 * (undeliverable), 131047 (more than 24 hours since the person wrote) and 131050 unreachable;
 * 131000, 131016, 133004 temporary.
 */
export const WHATSAPP_CLOUD_CODES: GraphCodeTable = {
  rateLimited: [...GRAPH_CODES.rateLimited, 80007, 130429, 131056],
  unreachable: [131026, 131047, 131050],
  temporary: [131000, 131016, 133004],
};

/** What the WhatsApp Cloud API transport needs. */
export interface WhatsAppCloudConfig {
  accessToken: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** Graph API base with a pinned version, e.g. https://graph.facebook.com/v21.0 */
  apiUrl: string;
  redis: Redis;
  keys: Keys;
  log: Logger;
}

const addressSchema = z.object({ waId: z.string().min(1) });

/**
 * WhatsApp through Meta's official Cloud API, for a charity with a WhatsApp Business account:
 * Meta's webhook in (`/webhooks/whatsapp`), `POST {base}/{phone-number-id}/messages` out, only
 * within the 24-hour customer-service window (template messages, the only way to write first
 * outside it, are not supported). Address: `{ waId }`.
 */
export class WhatsAppCloudAdapter implements Adapter {
  readonly name = 'whatsapp-cloud' as const;
  private readonly progress: PartProgress;
  /** The Cloud API's send address, read once. */
  private readonly endpoint: GraphEndpoint;
  private tokenRefused = false;

  constructor(private readonly c: WhatsAppCloudConfig) {
    this.progress = new PartProgress(c.redis, c.keys, 'whatsapp-cloud');
    this.endpoint = graphEndpoint(`${c.apiUrl.replace(/\/+$/, '')}/${encodeURIComponent(c.phoneNumberId)}/messages`);
  }

  registerRoutes(app: FastifyInstance, ctx: AdapterContext): void {
    registerMetaWebhook(app, {
      path: '/webhooks/whatsapp',
      appSecret: this.c.appSecret,
      verifyToken: this.c.verifyToken,
      log: this.c.log,
      handle: async (body) => {
        const parsed = parseWabaEvent(body, this.c.phoneNumberId);
        if (!parsed.ok) return parsed;
        const outcomes = await acceptInOrder(ctx, parsed.messages);
        // Built only when it will be written: production logs at info, and every webhook passes here.
        if (this.c.log.isLevelEnabled('debug'))
          this.c.log.debug({ ...outcomes, ignored: parsed.ignored }, 'whatsapp cloud webhook');
        if (parsed.malformed || parsed.otherNumber) {
          this.c.log.warn(
            { malformed: parsed.malformed, otherNumber: parsed.otherNumber },
            'whatsapp cloud messages passed over (not understood, or for another phone number id)',
          );
        }
        return { ok: true };
      },
    });
  }

  async send(address: ChannelAddress, message: OutboundMessage, ctx: SendContext): Promise<void> {
    const a = addressSchema.safeParse(address);
    if (!a.success) {
      throw badAddress('WhatsApp Cloud');
    }
    if (hoursSince(ctx.lastInboundAt) >= 24) {
      // Status 0: no request was made. Only template messages may go outside the window (not supported).
      throw refusedBeforeSending(
        `outside WhatsApp's 24-hour customer-service window (purpose ${ctx.purpose}); not sent`,
        'OUTSIDE_WINDOW',
      );
    }
    const to = a.data.waId;
    const buttons = fitsButtons(message.choices) ? message.choices : undefined;
    const text = buttons ? message.text : withNumberedChoices(message.text, message.choices);
    const parts = splitText(text, WHATSAPP_TEXT_LIMIT, buttons ? INTERACTIVE_BODY_MAX : undefined);
    const start = await sendInParts(this.progress, {
      recipient: `whatsapp-cloud:${to}`,
      parts,
      send: (part, _i, last) => this.call(last && buttons ? buttonMessage(to, part, buttons) : textMessage(to, part)),
    });
    if (this.c.log.isLevelEnabled('debug'))
      this.c.log.debug({ parts: parts.length, resumedAt: start, buttons: !!buttons }, 'whatsapp cloud message sent');
  }

  private async call(body: unknown): Promise<unknown> {
    try {
      const result = await postGraph({
        url: this.endpoint,
        token: this.c.accessToken,
        body,
        codes: WHATSAPP_CLOUD_CODES,
        product: 'WhatsApp Cloud API',
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
          channel: 'whatsapp-cloud',
          state: 'down',
          detail: 'Meta refused the access token (code 190): check WHATSAPP_CLOUD_ACCESS_TOKEN',
        }
      : { channel: 'whatsapp-cloud', state: 'ready' };
  }
}
