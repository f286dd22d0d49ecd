import type { Queue } from 'bullmq';
import { IdentityVault } from './identity';
import { ownerFromCause, type OutboundJob, type OutboundMessage, type SendOwner, type SendPurpose } from './message';
import { jobId } from './queues';

/** The job name of a message to send, on whichever queue an {@link Outbox} writes to. */
export const OUTBOX_JOB = 'send';

/** Options for one message. */
export interface SendOptions {
  /**
   * Sent even to someone who said "stop": a change to something they signed up for (a group
   * session moved or cancelled, a waiting-list place given), which they must hear of.
   */
  essential?: boolean;
  /** Who hears the platform's answer; derived from `key` (the cause) when absent. */
  owner?: SendOwner;
  /** The text is written by the owner when it is sent (alert notices: the queue holds ids, not words). */
  renderAtSend?: boolean;
}

/**
 * Puts messages on a queue for the sender: the outbound queue, or for safeguarding alerts' own
 * messages to staff, the alerts queue. The only way anything in Haven sends a message.
 */
export class Outbox {
  constructor(private readonly outbound: Queue) {}

  /**
   * Queues one message. `key` makes the job id stable so that a retried inbound job (after a
   * crash) queues the same replies again as no-ops rather than sending twice.
   */
  async send(
    conversationId: string,
    message: OutboundMessage,
    purpose: SendPurpose,
    key?: string,
    opts?: SendOptions,
  ): Promise<void> {
    await this.sendAll(conversationId, [message], purpose, key, opts);
  }

  /** Queues several messages as one job, so they arrive in the order given. */
  async sendAll(
    conversationId: string,
    messages: OutboundMessage[],
    purpose: SendPurpose,
    key?: string,
    opts?: SendOptions,
  ): Promise<void> {
    const [message, ...followUps] = messages;
    if (!message) return;
    const data: OutboundJob = {
      channel: IdentityVault.channelOf(conversationId),
      conversationId,
      message,
      followUps: followUps.length ? followUps : undefined,
      purpose,
      cause: key,
      ...(opts?.essential ? { essential: true } : {}),
      // Every message has an owner, who hears the platform's answer (engine/sender).
      owner: opts?.owner ?? ownerFromCause(key, conversationId),
      ...(opts?.renderAtSend ? { renderAtSend: true } : {}),
    };
    await this.outbound.add(OUTBOX_JOB, data, key ? { jobId: jobId('out', key) } : {});
  }
}
