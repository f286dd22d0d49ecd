/**
 * Redis key names, all under one prefix (REDIS_PREFIX) so that tests and deployments can share a
 * server. Every key Haven writes is built here or in its module's own keys file, through
 * {@link Keys.custom}.
 */
export class Keys {
  constructor(readonly prefix: string) {}
  private k(...parts: string[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }
  /** BullMQ's own prefix for queue keys. */
  get queuePrefix(): string {
    return this.k('q');
  }
  dedupe(channel: string, messageId: string): string {
    return this.k('dedupe', channel, messageId);
  }
  handled(channel: string, messageId: string): string {
    return this.k('handled', channel, messageId);
  }
  state(conversationId: string): string {
    return this.k('state', conversationId);
  }
  /** The few choices that outlive conversation state ("stop", "discreet", when last seen). */
  prefs(conversationId: string): string {
    return this.k('prefs', conversationId);
  }
  address(conversationId: string): string {
    return this.k('addr', conversationId);
  }
  lastInbound(conversationId: string): string {
    return this.k('lastin', conversationId);
  }
  rate(conversationId: string, windowStart: number): string {
    return this.k('rate', conversationId, String(windowStart));
  }
  webchatOutbox(clientKey: string): string {
    return this.k('webchat', 'outbox', clientKey);
  }
  webchatChannel(clientKey: string): string {
    return this.k('webchat', 'live', clientKey);
  }
  /** A conversation's processing lock (one message at a time per conversation). */
  lock(conversationId: string): string {
    return this.k('lock', conversationId);
  }
  /** The pub/sub channel of live dashboard changes. */
  changes(): string {
    return this.k('changes');
  }
  /**
   * A key for another module, namespaced by it. Called only from that module's own keys file
   * (domain/<module>/keys.ts, staff/keys.ts, adapters/kit/keys.ts): a test holds every key's
   * layout to those files, so no module reads another's keys.
   */
  custom(...parts: string[]): string {
    return this.k(...parts);
  }
}
