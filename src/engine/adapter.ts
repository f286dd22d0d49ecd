import type { ChannelAddress, ChannelName, InboundMessage, OutboundMessage, SendPurpose } from './message';

/** How a channel is doing, for /readyz and the staff dashboard. */
export interface ChannelStatus {
  channel: ChannelName;
  state: 'starting' | 'ready' | 'standby' | 'needs_pairing' | 'down' | 'stopped';
  /** Plain words on why it is not ready (never a secret). */
  detail?: string;
  /** Something staff must see at once about a channel that works (shown loudly, never as "Working"). */
  warning?: string;
  /** Pairing data for staff when state is `needs_pairing` (a QR payload or pairing code). */
  pairing?: { qr?: string; code?: string };
}

/** Everything an adapter gets from the core: where to hand what people send. */
export interface AdapterContext {
  /** Durably accepts one inbound message; resolves once it is queued (see engine/ingest). */
  accept(message: InboundMessage): Promise<AcceptResult>;
}

/** What became of one accepted message. */
export type AcceptResult =
  | { outcome: 'queued'; conversationId: string; alertId?: string }
  | { outcome: 'duplicate' }
  | { outcome: 'rate_limited'; conversationId: string; alertId?: string };

/** Extra facts about a send, for platform rules such as Messenger's 24-hour window. */
export interface SendContext {
  purpose: SendPurpose;
  /** When this person last wrote to us on this channel (ms since epoch), if known. */
  lastInboundAt?: number;
  /**
   * The same for every run of one message part (its queue, job id and part number): a job re-run
   * after its first run sent the part but could not record so (Redis went away before the job was
   * marked done) sends it with the same id. A channel that delivers into Haven's own Redis (the web
   * chat) delivers each id once; the platforms' APIs have no such key, so for them it is unused.
   */
  deliveryId?: string;
}

/**
 * What the engine needs of a channel to send through it. Adapters (src/adapters) implement it with their
 * SDK and platform types, which nothing in the engine sees. Errors from `send` are `PlatformRefusedError`
 * (not retried) or `PlatformUnavailableError` (retried with backoff).
 */
export interface ChannelSender {
  readonly name: ChannelName;
  send(address: ChannelAddress, message: OutboundMessage, context: SendContext): Promise<void>;
  status(): ChannelStatus;
}
