import { errorFields } from '../common/errors';
import type { Redis } from 'ioredis';
import type { Logger } from '../common/logger';

/** What changed, as the staff dashboard's live views hear of it: ids and an event name, no content. */
export type ChangeTopic = 'alerts' | 'requests' | 'conversations';
type Listener = (data: Record<string, unknown>) => void;

/**
 * Alert and request changes shared between processes over Redis pub/sub, so a dashboard served by
 * one process (`HAVEN_ROLE=web`) hears of an alert acknowledged or a request made in another (a
 * worker handling `ack CODE` or a young person's message). Every process, the one that made the
 * change included, hears it once, from Redis. Live updates are a convenience: while Redis is down
 * none arrive, and the pages show the truth when reloaded.
 */
export class ChangeBus {
  private readonly listeners = new Map<ChangeTopic, Set<Listener>>();

  /**
   * @param publisher a command connection (shared; not closed here)
   * @param subscriber a connection of the bus's own, put in subscriber mode (the caller closes it)
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly log: Logger,
  ) {
    subscriber.on('message', (ch: string, raw: string) => {
      if (ch !== this.channel) return;
      let parsed: { topic?: unknown; data?: unknown };
      try {
        parsed = JSON.parse(raw) as typeof parsed;
      } catch {
        return;
      }
      const set = this.listeners.get(parsed.topic as ChangeTopic);
      if (!set || typeof parsed.data !== 'object' || parsed.data === null) return;
      for (const l of set) {
        try {
          l(parsed.data as Record<string, unknown>);
        } catch (err) {
          this.log.warn({ err: errorFields(err) }, 'change listener failed');
        }
      }
    });
  }

  /** Subscribes to the channel; resolves once Redis has confirmed (or logs and resolves when it is down). */
  async start(): Promise<void> {
    await this.subscriber
      .subscribe(this.channel)
      .catch((err: Error) => this.log.warn({ err: errorFields(err) }, 'live updates unavailable for now'));
  }

  /** Tells every process. Never throws: a change that could not be announced is still made. */
  publish(topic: ChangeTopic, data: Record<string, unknown>): void {
    this.publisher
      .publish(this.channel, JSON.stringify({ topic, data }))
      .catch((err: Error) => this.log.debug({ err: errorFields(err) }, 'change not announced'));
  }

  /** Hears of every change on `topic` in any process; returns an unsubscribe function. */
  on(topic: ChangeTopic, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
