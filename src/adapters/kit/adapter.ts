import type { FastifyInstance } from 'fastify';
import type { AdapterContext, ChannelSender } from '../../engine/adapter';
import type { ChannelAddress } from '../../engine/message';

export type { AcceptResult, AdapterContext, ChannelStatus, SendContext } from '../../engine/adapter';

/**
 * One platform. Adapters own their SDK and platform types; nothing outside `src/adapters/<name>`
 * sees them. Errors from `send` are `PlatformRefusedError` (not retried) or
 * `PlatformUnavailableError` (retried with backoff).
 */
export interface Adapter extends ChannelSender {
  /** Registers HTTP routes (webhooks) on the shared server, before it listens. */
  registerRoutes?(app: FastifyInstance, ctx: AdapterContext): void | Promise<void>;
  /** Connects (long-lived clients such as WhatsApp Web); must not throw for a platform failure. */
  start?(ctx: AdapterContext): Promise<void>;
  stop?(): Promise<void>;
  /** Forgets the replies kept for this person's device now (web chat: its reply backlog). */
  clearHistory?(address: ChannelAddress): Promise<void>;
}
