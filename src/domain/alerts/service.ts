import { HavenError, WebhookError } from '../../common/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import fetch from 'node-fetch';
import type { Logger } from '../../common/logger';
import type { Metrics } from '../../common/metrics';
import type { ChannelName } from '../../engine/message';
import { IdentityVault } from '../../engine/identity';
import type { Outbox } from '../../engine/outbox';
import { jobId } from '../../engine/queues';
import type { ScreenResult } from '../../safeguarding/types';
import type { Alert, AlertStore } from './store';

/** Settings the alert pipeline needs. */
export interface AlertSettings {
  webhookUrl?: string;
  /** Pseudonymous conversation ids of on-duty staff (level 0) and of the leads (escalation). */
  onDuty: string[];
  leads: string[];
  escalationMs: number;
  urgentEscalationMs: number;
  publicUrl: string;
  signingSecret: string;
}

/** Something that wants to hear of alert changes at once (the dashboard's live view). */
export type AlertListener = (event: { type: 'raised' | 'acknowledged' | 'escalated'; alertId: string }) => void;

/** The alerts queue's job that delivers (or escalates) one alert. */
export const ALERT_JOB = 'deliver';

/** Job data on the `alerts` queue. */
export interface AlertJob {
  alertId: string;
  level: number;
}

/** What {@link AlertService.raise} needs to know of a concerning message. */
export interface RaiseInput {
  screen: ScreenResult;
  text: string;
  channel: ChannelName;
  conversationId: string;
  /** Given by callers that know the member already; otherwise the conversation's link is read. */
  memberId?: string;
  memberName?: string;
  receivedAt: number;
  /** The message's platform id (`channel:messageId`): a retry of the same message raises no second alert. */
  source?: string;
}

/** Most times an unacknowledged alert is sent round again. */
const MAX_LEVEL = 12;

/**
 * Safeguarding alerts: raise (record, then queue delivery at once), deliver to every configured
 * target, escalate while nobody acknowledges, acknowledge.
 */
export class AlertService {
  private readonly listeners = new Set<AlertListener>();

  constructor(
    readonly store: AlertStore,
    private readonly queue: Queue,
    private readonly outbox: Outbox,
    private readonly settings: AlertSettings,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  onChange(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(type: 'raised' | 'acknowledged' | 'escalated', alertId: string) {
    for (const l of this.listeners) l({ type, alertId });
  }

  /** True when this conversation is one of the staff identities alerts go to. */
  isStaff(conversationId: string): boolean {
    return this.settings.onDuty.includes(conversationId) || this.settings.leads.includes(conversationId);
  }

  /**
   * Records the alert and queues its delivery; called before anything else happens to the message.
   * The alert names the conversation's linked member unless `memberId` is given. For a message whose
   * alert was raised before (a platform's retry), records nothing and returns that alert.
   *
   * With a `source`, this is one round trip: the alert's id is derived from the source, so its
   * delivery job is sent straight after the record. The store and the queue share one connection
   * (see main.ts), and Redis runs one connection's commands in order, so no worker can take up the
   * job before the record is there.
   */
  async raise(input: RaiseInput): Promise<Alert> {
    const { screen } = input;
    if (!screen.alert || !screen.category || !screen.severity)
      throw new Error('raise() needs a screen result that alerts');
    const recording = this.store.create(
      {
        category: screen.category,
        severity: screen.severity,
        matched: screen.matched,
        text: input.text,
        channel: input.channel,
        conversationId: input.conversationId,
        memberId: input.memberId,
        memberName: input.memberName,
        createdAt: input.receivedAt,
      },
      input.source,
    );
    const early = input.source ? this.store.idFor(input.source) : undefined;
    let recorded: Awaited<typeof recording>;
    try {
      [recorded] = await Promise.all([recording, early && this.queueDelivery(early)]);
    } catch (err) {
      // The record failed (or its answer was lost) and the job may stand: the message's retry must
      // find its job id free, not taken by a job that found nothing to deliver. Should this fail
      // too, deliver() waits for the record instead of ending.
      if (early) await this.queue.remove(jobId('alert', early, '0')).catch(() => undefined);
      throw err;
    }
    const { alert, created } = recorded;
    // Without a source, the id was only known now. For an alert raised before, the same job id
    // makes this a no-op if its delivery is queued or done (and deliver() skips a level done).
    if (alert.id !== early) await this.queueDelivery(alert.id);
    if (!created) return alert;
    this.log.warn(
      { alertId: alert.id, category: alert.category, severity: alert.severity, channel: alert.channel },
      'safeguarding alert raised',
    );
    this.emit('raised', alert.id);
    return alert;
  }

  private async queueDelivery(alertId: string): Promise<void> {
    const data: AlertJob = { alertId, level: 0 };
    await this.queue.add(ALERT_JOB, data, { jobId: jobId('alert', alertId, '0'), priority: 1 });
  }

  /** Worker side: deliver the alert at `level`, then schedule the next escalation. */
  async deliver(job: AlertJob): Promise<void> {
    const [found, done] = await Promise.all([this.store.get(job.alertId), this.store.deliveredParts(job.alertId)]);
    // Not there: its record failed after its job was queued. Retried (with backoff) until the
    // message's retry writes it, rather than ending with nobody told.
    if (!found) throw new Error(`alert ${job.alertId} is not recorded (yet); trying again`);
    // Acknowledged, or this level's delivery made again (a platform's retry of the message); within
    // a level, a target already told is not told again when the job is retried.
    if (found.status === 'acknowledged' || done.has(String(job.level))) return;
    let alert = found;
    if (job.level > 0) {
      const escalated = await this.store.escalate(alert.id, job.level);
      if (!escalated) return;
      if (escalated.level > found.level) this.emit('escalated', alert.id);
      alert = escalated;
    }
    const targets = job.level === 0 ? this.settings.onDuty : [...this.settings.leads, ...this.settings.onDuty];
    const text = this.staffMessage(alert, job.level);
    const failures: string[] = [];
    let webhookFailure: unknown;
    for (const staff of new Set(targets)) {
      const part = `${job.level}:chat:${staff}`;
      if (done.has(part)) continue;
      try {
        await this.outbox.send(staff, { text }, 'staff_notice', `alert:${alert.id}:${job.level}:${staff}`);
        await this.store.markDelivered(alert.id, part);
        await this.store.append(alert.id, {
          at: Date.now(),
          event: 'delivered',
          detail: `queued to ${IdentityVault.shortName(staff)}`,
        });
      } catch (err) {
        failures.push(`chat ${IdentityVault.shortName(staff)}: ${(err as Error).message}`);
      }
    }
    if (this.settings.webhookUrl && !done.has(`${job.level}:webhook`)) {
      try {
        await this.postWebhook(alert, job.level);
        await this.store.markDelivered(alert.id, `${job.level}:webhook`);
        await this.store.append(alert.id, { at: Date.now(), event: 'delivered', detail: 'alert webhook' });
      } catch (err) {
        webhookFailure = err;
        failures.push(`webhook: ${(err as Error).message}`);
      }
    }
    for (const f of failures)
      await this.store.append(alert.id, { at: Date.now(), event: 'delivery_failed', detail: f });
    if (job.level < MAX_LEVEL) {
      const delay = alert.severity === 'urgent' ? this.settings.urgentEscalationMs : this.settings.escalationMs;
      const next: AlertJob = { alertId: alert.id, level: job.level + 1 };
      await this.queue.add(ALERT_JOB, next, {
        jobId: jobId('alert', alert.id, String(next.level)),
        delay,
        priority: 1,
      });
    }
    // A failed webhook is retried by the queue (unless its answer says it never will work: 404/410);
    // escalation above is already scheduled, so it still runs.
    if (webhookFailure !== undefined)
      throw new HavenError(`alert ${alert.id} delivery failed: ${failures.join('; ')}`, 'ALERT_DELIVERY_FAILED', {
        cause: webhookFailure,
        permanent: webhookFailure instanceof HavenError && webhookFailure.permanent,
        context: { alertId: alert.id, level: job.level },
      });
    await this.store.markDelivered(alert.id, String(job.level));
  }

  /** Acknowledges by id or by the short code; null when unknown or already acknowledged. */
  async acknowledge(idOrCode: string, by: string): Promise<Alert | null> {
    const alert = /^[A-Z2-9]{5}$/i.test(idOrCode) ? await this.store.byCode(idOrCode) : await this.store.get(idOrCode);
    if (!alert) return null;
    const done = await this.store.acknowledge(alert.id, by);
    if (done) {
      this.log.info({ alertId: alert.id }, 'safeguarding alert acknowledged');
      this.metrics?.alertAckSeconds.observe(((done.acknowledgedAt ?? Date.now()) - done.createdAt) / 1000);
      // Remove pending escalations; the worker also checks the status, so a race is harmless.
      for (let level = alert.level + 1; level <= MAX_LEVEL; level++) {
        const job = await this.queue.getJob(jobId('alert', alert.id, String(level)));
        if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
      }
      this.emit('acknowledged', alert.id);
    }
    return done;
  }

  /** HMAC signature for an alert's acknowledge link. */
  sign(alertId: string): string {
    return createHmac('sha256', this.settings.signingSecret).update(`ack:${alertId}`).digest('base64url');
  }

  verify(alertId: string, signature: string): boolean {
    const want = Buffer.from(this.sign(alertId));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  ackUrl(alertId: string): string {
    return `${this.settings.publicUrl.replace(/\/$/, '')}/alerts/${alertId}/ack?sig=${this.sign(alertId)}`;
  }

  private who(alert: Alert): string {
    return alert.memberName ?? `a young person (${IdentityVault.shortName(alert.conversationId)})`;
  }

  private staffMessage(alert: Alert, level: number): string {
    const when = new Date(alert.createdAt).toISOString().replace('T', ' ').slice(0, 16);
    return [
      `${level > 0 ? `ESCALATED (${level}) ` : ''}Safeguarding alert: ${alert.severity.toUpperCase()}, ${alert.category.replace(/_/g, ' ')}`,
      `From ${this.who(alert)} on ${alert.channel} at ${when} UTC.`,
      `They wrote: "${alert.text}"`,
      `Reply "ack ${alert.code}" when you are dealing with it, or open ${this.ackUrl(alert.id)}`,
    ].join('\n');
  }

  private async postWebhook(alert: Alert, level: number): Promise<void> {
    const body = {
      type: 'safeguarding_alert',
      // `text` lets a Slack or Teams incoming webhook show it as it is.
      text: this.staffMessage(alert, level),
      alert: {
        id: alert.id,
        code: alert.code,
        category: alert.category,
        severity: alert.severity,
        channel: alert.channel,
        member: alert.memberName ?? null,
        pseudonym: IdentityVault.shortName(alert.conversationId),
        message: alert.text,
        matched: alert.matched,
        createdAt: new Date(alert.createdAt).toISOString(),
        level,
        acknowledgeUrl: this.ackUrl(alert.id),
        dashboardUrl: `${this.settings.publicUrl.replace(/\/$/, '')}/staff/alerts/${alert.id}`,
        reply: `Acknowledge with the link, on the staff dashboard, or by sending "ack ${alert.code}" from a staff chat identity.`,
      },
    };
    const res = await fetch(this.settings.webhookUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeout: 10_000,
    });
    if (!res.ok) throw new WebhookError('alert webhook', res.status);
  }
}
