import type { Logger } from '../../common/logger';
import type { InboundMessage } from '../../engine/message';

/** Settings for {@link PendingAccepts}. */
export interface PendingOptions {
  accept: (m: InboundMessage) => Promise<unknown>;
  log: Logger;
  /** Most messages held while the core cannot store them; beyond this the oldest is dropped (and counted). */
  max: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Hands messages to the core one at a time, in the order they came. whatsapp-web.js never
 * delivers a message twice, so one the core could not store (Redis down) is held here, bounded,
 * and retried with backoff; later messages queue behind it so order is kept. Logs counts only.
 */
export class PendingAccepts {
  private readonly held: InboundMessage[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private attempt = 0;
  private dropped = 0;
  private stopped = false;

  constructor(private readonly o: PendingOptions) {}

  /** Messages waiting for the core to take them. */
  get size(): number {
    return this.held.length;
  }

  /** Queues one message; resolves once it was stored or held for retry (never rejects). */
  submit(m: InboundMessage): Promise<void> {
    this.chain = this.chain.then(() => this.take(m));
    return this.chain;
  }

  private async take(m: InboundMessage): Promise<void> {
    if (this.held.length === 0) {
      try {
        await this.o.accept(m);
        return;
      } catch {
        // held below
      }
    }
    if (this.held.length >= this.o.max) {
      this.held.shift();
      this.dropped++;
      this.o.log.error(
        { held: this.held.length, dropped: this.dropped },
        'WhatsApp messages could not be stored and the retry list is full; oldest dropped',
      );
    }
    this.held.push(m);
    if (this.held.length === 1) this.o.log.warn({ held: 1 }, 'WhatsApp message not stored (Redis?); will retry');
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const delay = Math.min(this.o.retryBaseMs * 2 ** this.attempt, this.o.retryMaxMs);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.drain());
    }, delay);
    this.timer.unref?.();
  }

  private async drain(): Promise<void> {
    let stored = 0;
    while (this.held.length && !this.stopped) {
      const first = this.held[0] as InboundMessage;
      try {
        await this.o.accept(first);
      } catch {
        this.o.log.warn(
          { held: this.held.length, stored, attempt: this.attempt },
          'WhatsApp messages still not stored',
        );
        this.schedule();
        return;
      }
      this.held.shift();
      stored++;
    }
    if (stored) this.o.log.info({ stored }, 'held WhatsApp messages stored');
    this.attempt = 0;
  }

  /** Stops retrying; returns how many messages were still held (they are lost). */
  async stop(): Promise<number> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    const lost = this.held.length;
    this.held.length = 0;
    return lost;
  }
}
