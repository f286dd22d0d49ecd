import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelSender } from './adapter';
import { PlatformRefusedError, errorFields } from '../common/errors';
import type { IdentityVault } from './identity';
import type { Keys } from './keys';
import type { Logger } from '../common/logger';
import {
  ownerFromCause,
  type ChannelAddress,
  type ChannelName,
  type OutboundJob,
  type OutboundMessage,
  type SendOutcome,
  type SendOwner,
  type SendPurpose,
} from './message';
import type { Metrics } from '../common/metrics';
import type { ConversationState, StateStore } from './state';

/**
 * The outbound worker's job: find the person's channel address and hand the message to that
 * channel's adapter. A refusal that can never succeed fails the job at once (recorded, not
 * retried); rate limits and network failures are retried with backoff.
 */
export class Sender {
  constructor(
    private readonly d: {
      adapters: ReadonlyMap<ChannelName, ChannelSender>;
      vault: IdentityVault;
      redis: Redis;
      keys: Keys;
      log: Logger;
      metrics?: Metrics;
      /**
       * Conversation state, for the person's privacy choices: a `notice` to someone who said
       * "stop" is not sent (the job completes, counted as `opted_out`, never retried); discreet
       * mode rewrites every message through `discreet`.
       */
      states?: StateStore;
      /** Discreet mode's rewrite (flows/privacy/discreet.ts), injected so core does not import flows. */
      discreet?: (message: OutboundMessage, purpose: SendPurpose) => OutboundMessage;
      /** Told of a message that can never be delivered (no address, or the platform refused it for good). */
      onUndeliverable?: (job: OutboundJob, reason: string) => Promise<void>;
      /**
       * Told the platform's answer for every message, with its owner: accepted, refused for good,
       * or failed and being tried again. An alert counts a staff member as told only from here.
       */
      onOutcome?: (outcome: SendOutcome) => Promise<void>;
      /**
       * Writes a `renderAtSend` job's message from its owner at send time (an alert's notice to
       * staff), so the queue never holds the words; null when there is nothing to send any more.
       */
      render?: (owner: SendOwner) => Promise<OutboundMessage | null>;
    },
  ) {}

  /**
   * Sends the job's messages in order. `onProgress` records how many went, so a retry after a
   * failure part-way resumes after the last one sent instead of sending it twice. `runId` is the
   * same on every run of this job (its queue and id): each part is sent with it as its
   * `deliveryId` (SendContext, engine/adapter.ts).
   */
  async send(queued: OutboundJob, onProgress?: (sentParts: number) => Promise<void>, runId?: string): Promise<void> {
    let job = queued;
    if (job.renderAtSend) {
      if (!this.d.render || !job.owner) {
        await this.report(job, false, true, 'this process cannot write the message (no renderer)');
        throw new UnrecoverableError('a renderAtSend job needs the sender to have a renderer');
      }
      const message = await this.d.render(job.owner);
      if (!message) {
        this.d.log.info({ channel: job.channel, cause: job.cause }, 'nothing to send any more (its owner is gone)');
        return;
      }
      job = { ...job, message };
    }
    const { channel, conversationId } = job;
    const adapter = this.d.adapters.get(channel);
    if (!adapter) {
      this.d.metrics?.outbound.inc({ channel, outcome: 'not_sent' });
      await this.report(job, false, true, `the ${channel} channel is not set up`);
      throw new UnrecoverableError(`channel ${channel} is not configured`);
    }
    // Read together: privacy choices, address and last message time in one command.
    const [state, address, last] = await this.readFor(conversationId);
    if (state?.optedOut && !job.essential && (job.purpose === 'notice' || job.purpose === 'event')) {
      this.d.metrics?.outbound.inc({ channel, outcome: 'opted_out' });
      this.d.log.info({ channel, conversation: conversationId, cause: job.cause }, 'opted out of notices; not sent');
      await this.report(job, false, true, 'they said "stop"');
      return;
    }
    const parts = [job.message, ...(job.followUps ?? [])].map((m) =>
      state?.discreet && this.d.discreet ? this.d.discreet(m, job.purpose) : m,
    );
    if (!address) {
      this.d.metrics?.outbound.inc({ channel, outcome: 'not_sent' });
      this.d.log.warn(
        { channel, conversation: conversationId },
        'no address for conversation (never seen, expired or erased); not sent',
      );
      const why = 'no way to reach them: they have not messaged for too long, or deleted their data';
      await this.report(job, false, true, why);
      await this.undeliverable(job, why);
      throw new UnrecoverableError('no channel address for this conversation');
    }
    try {
      for (let i = job.sentParts ?? 0; i < parts.length; i++) {
        await adapter.send(address, parts[i] as OutboundMessage, {
          purpose: job.purpose,
          lastInboundAt: last ? Number(last) : undefined,
          ...(runId ? { deliveryId: `${runId}:${i}` } : {}),
        });
        this.d.metrics?.outbound.inc({ channel, outcome: 'sent' });
        if (i + 1 < parts.length) await onProgress?.(i + 1);
      }
    } catch (err) {
      const final = err instanceof PlatformRefusedError && err.details.retryAfterMs === undefined;
      await this.report(job, false, final, `${channel} ${final ? 'refused it' : 'failed'}: ${(err as Error).message}`);
      const code =
        err instanceof PlatformRefusedError
          ? String(err.details.platformCode ?? err.status)
          : ((err as { code?: string }).code ?? 'error');
      this.d.metrics?.sendErrors.inc({ channel, code });
      if (err instanceof PlatformRefusedError && err.details.retryAfterMs === undefined) {
        this.d.metrics?.outbound.inc({ channel, outcome: 'refused' });
        this.d.log.warn(
          { channel, conversation: conversationId, status: err.status, code },
          `platform refused; not retried: ${err.message}`,
        );
        await this.undeliverable(job, `${channel} refused it: ${err.message}`);
        throw new UnrecoverableError(`${channel} refused: ${err.message}`);
      }
      this.d.log.warn({ channel, conversation: conversationId, code }, 'send failed; will retry');
      throw err;
    }
    await this.report(job, true, true);
  }

  /** The person's state (privacy choices), address and last message time (ms, as stored). */
  private async readFor(
    conversationId: string,
  ): Promise<[Pick<ConversationState, 'optedOut' | 'discreet'> | null, ChannelAddress | null, string | null]> {
    const others = [this.d.vault.addressKey(conversationId), this.d.keys.lastInbound(conversationId)];
    if (this.d.states) {
      const {
        choices,
        others: [address, last],
      } = await this.d.states.choicesWith(conversationId, others);
      return [choices, this.d.vault.openAddress(address ?? null), last ?? null];
    }
    const [address, last] = await this.d.redis.mget(...others);
    return [null, this.d.vault.openAddress(address ?? null), last ?? null];
  }

  /** Tells the message's owner the platform's answer; a failure to record it is logged, never thrown. */
  private async report(job: OutboundJob, delivered: boolean, final: boolean, reason?: string): Promise<void> {
    if (!this.d.onOutcome) return;
    const outcome: SendOutcome = {
      owner: job.owner ?? ownerFromCause(job.cause, job.conversationId),
      conversationId: job.conversationId,
      channel: job.channel,
      delivered,
      final,
      reason,
    };
    await this.d
      .onOutcome(outcome)
      .catch((err: Error) => this.d.log.warn({ err: { message: err.message } }, 'could not record a send outcome'));
  }

  private async undeliverable(job: OutboundJob, reason: string): Promise<void> {
    await this.d
      .onUndeliverable?.(job, reason)
      .catch((err: Error) => this.d.log.warn({ err: errorFields(err) }, 'could not record an undelivered message'));
  }
}
