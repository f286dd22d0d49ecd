import type { Queue } from 'bullmq';
import { IdentityVault } from './identity';
import { ownerFromCause, type OutboundJob, type OutboundMessage, type SendOwner, type SendPurpose } from './message';
import { jobId } from './queues';

/** The job name of a message to send, on whichever queue an {@link Outbox} writes to. */
export const OUTBOX_JOB = 'send';

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
    owner?: SendOwner,
    renderAtSend?: boolean,
  ): Promise<void> {
    await this.sendAll(conversationId, [message], purpose, key, owner, renderAtSend);
  }

  /** Queues several messages as one job, so they arrive in the order given. */
  async sendAll(
    conversationId: string,
    messages: OutboundMessage[],
    purpose: SendPurpose,
    key?: string,
    owner?: SendOwner,
    renderAtSend?: boolean,
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
      // Every message has an owner, who hears the platform's answer (engine/sender).
      owner: owner ?? ownerFromCause(key, conversationId),
      ...(renderAtSend ? { renderAtSend: true } : {}),
    };
    await this.outbound.add(OUTBOX_JOB, data, key ? { jobId: jobId('out', key) } : {});
  }
}
