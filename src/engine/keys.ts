/**
 * Redis key names, all under one prefix (REDIS_PREFIX) so that tests and deployments can share a
 * server. Every key Haven writes is built here.
 */
export class Keys {
  constructor(readonly prefix: string) {}
  private k(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
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
  /** Anything else a module needs, namespaced by that module. */
  custom(...parts: string[]): string {
    return this.k(...parts);
  }
}
