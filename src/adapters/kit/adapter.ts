import type { FastifyInstance } from 'fastify';
import type { AdapterContext, ChannelSender, ChannelStatus } from '../../engine/adapter';
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
  /**
   * The status as the process that drives the channel sees it, read from Redis, for a channel
   * whose client runs on one process only (WhatsApp Web); `status()` is this process's own view.
   */
  sharedStatus?(): Promise<ChannelStatus>;
  /** Forgets the replies kept for this person's device now (web chat: its reply backlog). */
  clearHistory?(address: ChannelAddress): Promise<void>;
}
