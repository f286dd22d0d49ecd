import { HavenError, WebhookError } from '../../common/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import fetch from 'node-fetch';
import type { Logger } from '../../common/logger';
import type { Metrics } from '../../common/metrics';
import { isEmailTarget, shortEmail, type Mailer } from '../../common/mailer';
import { escapeChatMarkup, signWebhook } from '../../common/webhook';
import type { ChannelName, SendOutcome, SendOwner } from '../../engine/message';
import { IdentityVault } from '../../engine/identity';
import type { Outbox } from '../../engine/outbox';
import { jobId } from '../../engine/queues';
import type { ScreenResult } from '../../safeguarding/types';
import type { Alert, AlertStore } from './store';

/** Settings the alert pipeline needs. */
export interface AlertSettings {
  webhookUrl?: string;
  /** ALERT_WEBHOOK_SECRET: signs each webhook POST (Standard Webhooks headers). */
  webhookSecret?: string;
  /** ALERT_WEBHOOK_INCLUDE_TEXT: put the young person's words in the webhook (default: left out). */
  webhookIncludeText?: boolean;
  /**
   * On-duty staff (level 0) and the leads (escalation): pseudonymous conversation ids of staff
   * chat identities, or `email:ADDRESS`.
   */
  onDuty: string[];
  leads: string[];
  /** Sends the `email:` targets' mail (SMTP_URL); without it an email target cannot be told. */
  mailer?: Mailer;
  /**
   * Whether a staff chat identity can be told now: null when it can, else why not (never
   * messaged Haven, outside the platform's window, channel not set up). Default: assumed it can.
   */
  canReach?: (conversationId: string) => Promise<string | null>;
  escalationMs: number;
  urgentEscalationMs: number;
  publicUrl: string;
  signingSecret: string;
}

/** Something that wants to hear of alert changes at once (the dashboard's live view). */
export type AlertListener = (event: {
  type: 'raised' | 'acknowledged' | 'escalated' | 'not_delivered';
  alertId: string;
}) => void;

/** Whether anyone can be told of an alert now, and why not. */
export interface Reachability {
  /** False when no target is set up, or none can be reached now. */
  ok: boolean;
  /** Plain words for staff and the log when not ok. */
  problem?: string;
  targets: Array<{ target: string; reachable: boolean; why?: string }>;
}

/** The alerts queue's job that delivers (or escalates) one alert. */
export const ALERT_JOB = 'deliver';

/** Job data on the `alerts` queue. */
export interface AlertJob {
  alertId: string;
  level: number;
  /** Brought forward because someone at the level before could not be told (not the timer). */
  hurried?: boolean;
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
 * How long a delivery job waits for its alert's record before failing (and being retried with
 * backoff), and how often it looks: a record rewritten after a wrong guess of the member link
 * comes a round trip after the job.
 */
const RECORD_WAIT_MS = 500;
const RECORD_POLL_MS = 10;

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
  private emit(type: 'raised' | 'acknowledged' | 'escalated' | 'not_delivered', alertId: string) {
    for (const l of this.listeners) l({ type, alertId });
  }

  /** True when this conversation is one of the staff identities alerts go to. */
  isStaff(conversationId: string): boolean {
    // An `email:` target is never a conversation id, so it never matches here.
    return this.settings.onDuty.includes(conversationId) || this.settings.leads.includes(conversationId);
  }

  /**
   * Records the alert and queues its delivery; called before anything else happens to the message.
   * The alert names the conversation's linked member unless `memberId` is given. For a message whose
   * alert was raised before (a platform's retry), records nothing and returns that alert.
   *
   * With a `source`, this is one round trip: the record is written (a script that names every key
   * it touches, the linked member's record included) with the member link this process last saw
   * for the conversation ({@link AlertStore.guessLinked}; none for a conversation it has not seen),
   * which the script checks. The alert's id is derived from the source, so its delivery job is sent
   * straight after the record, in the same round trip. The store and the queue share one connection
   * (see main.ts), and Redis runs one connection's commands in order, so no worker can take up the
   * job before the record is there. When the guess was wrong (the conversation is linked to someone
   * this process has not seen it linked to), the script writes nothing and the record is written
   * one round trip later, with the link it read: a worker that took the job up in between waits
   * for the record ({@link deliver}).
   */
  async raise(input: RaiseInput): Promise<Alert> {
    const { screen } = input;
    if (!screen.alert || !screen.category || !screen.severity)
      throw new Error('raise() needs a screen result that alerts');
    // Known before the record's write is sent (no round trip), so the delivery job goes with it.
    const linked = input.memberId === undefined ? this.store.guessLinked(input.conversationId) : undefined;
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
      linked,
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

  /** The open alerts of one conversation (newest 100 open alerts looked at), for the inbox to link. */
  async openAlertIdsFor(conversationId: string): Promise<string[]> {
    const open = await this.store.list({ openOnly: true, limit: 100 });
    return open.filter((a) => a.conversationId === conversationId).map((a) => a.id);
  }

  /** Who is told at `level`: on-duty staff first, then the leads and on-duty staff together. */
  targetsFor(level: number): string[] {
    return [...new Set(level === 0 ? this.settings.onDuty : [...this.settings.leads, ...this.settings.onDuty])];
  }

  /** A short, non-identifying name for a target in the alert's record and the log. */
  static targetName(target: string): string {
    return isEmailTarget(target) ? `email ${shortEmail(target)}` : IdentityVault.shortName(target);
  }

  /**
   * Worker side: deliver the alert at `level`, then schedule the next escalation. A chat target
   * counts as told only when its platform accepts the message ({@link reportSend}); an email
   * target when the mail server accepts it; the webhook when it answers 2xx. A target that cannot
   * be told is recorded on the alert and the next level's targets are told at once.
   */
  async deliver(job: AlertJob): Promise<void> {
    const [found, done] = await Promise.all([this.recorded(job.alertId), this.store.deliveredParts(job.alertId)]);
    // Not there: its record failed after its job was queued. Retried (with backoff) until the
    // message's retry writes it, rather than ending with nobody told.
    if (!found) throw new Error(`alert ${job.alertId} is not recorded (yet); trying again`);
    // Acknowledged, or this level's delivery made again (a platform's retry of the message); within
    // a level, a target already told is not told again when the job is retried.
    if (found.status === 'acknowledged' || done.has(String(job.level))) return;
    let alert = found;
    if (job.level > 0) {
      const escalated = await this.store.escalate(
        alert.id,
        job.level,
        Date.now(),
        job.hurried ? 'someone could not be told, so the next staff are told now' : undefined,
      );
      if (!escalated) return;
      if (escalated.level > found.level) this.emit('escalated', alert.id);
      alert = escalated;
    }
    const targets = this.targetsFor(job.level);
    const failures: string[] = [];
    let webhookFailure: unknown;
    let notTold = 0;
    if (targets.length === 0 && !this.settings.webhookUrl) {
      notTold++;
      await this.notDelivered(
        alert.id,
        job.level,
        'nobody',
        'no staff member is set up to be told at this level',
        false,
      );
    }
    for (const target of targets) {
      if (isEmailTarget(target)) {
        const part = `${job.level}:email:${target}`;
        if (done.has(part)) continue;
        try {
          if (!this.settings.mailer) throw new Error('no mail server is set up (SMTP_URL)');
          await this.settings.mailer.send(this.staffEmail(alert, job.level, target, job.hurried));
          await this.store.markDelivered(alert.id, part);
          await this.store.noteTarget(target, null);
          await this.store.append(alert.id, {
            at: Date.now(),
            event: 'delivered',
            detail: `told ${AlertService.targetName(target)} (the mail server accepted it)`,
          });
        } catch (err) {
          notTold++;
          await this.notDelivered(alert.id, job.level, target, (err as Error).message, false);
          failures.push(`email ${shortEmail(target)}: ${(err as Error).message}`);
        }
        continue;
      }
      const part = `${job.level}:chat:${target}`;
      if (done.has(part)) continue;
      // Queued here with ids only (the words are written at send time: renderNotice); told only
      // once the platform accepts it (reportSend).
      await this.outbox.send(target, { text: '' }, 'staff_notice', `alert:${alert.id}:${job.level}:${target}`, {
        owner: {
          kind: 'alert',
          alertId: alert.id,
          level: job.level,
          target,
          ...(job.hurried ? { hurried: true } : {}),
        },
        renderAtSend: true,
      });
      await this.store.markDelivered(alert.id, part);
      await this.store.append(alert.id, {
        at: Date.now(),
        event: 'queued',
        detail: `sending to ${AlertService.targetName(target)}`,
      });
    }
    if (this.settings.webhookUrl && !done.has(`${job.level}:webhook`)) {
      try {
        await this.postWebhook(alert, job.level);
        await this.store.markDelivered(alert.id, `${job.level}:webhook`);
        await this.store.append(alert.id, {
          at: Date.now(),
          event: 'delivered',
          detail: 'alert webhook (answered 2xx)',
        });
      } catch (err) {
        webhookFailure = err;
        failures.push(`webhook: ${(err as Error).message}`);
        await this.store.append(alert.id, {
          at: Date.now(),
          event: 'delivery_failed',
          detail: `not delivered to the alert webhook: ${(err as Error).message}`,
        });
      }
    }
    if (job.level < MAX_LEVEL) {
      // A target that could not be told: the next level's targets are told now, not after the timer.
      const hurry = notTold > 0 && this.nextLevelAddsTargets(job.level);
      const delay = hurry
        ? 0
        : alert.severity === 'urgent'
          ? this.settings.urgentEscalationMs
          : this.settings.escalationMs;
      const next: AlertJob = { alertId: alert.id, level: job.level + 1, ...(hurry ? { hurried: true } : {}) };
      await this.queue.add(ALERT_JOB, next, {
        jobId: jobId('alert', alert.id, String(next.level)),
        delay,
        priority: 1,
      });
    }
    // A failed webhook or email is retried by the queue, unless the only failure is a webhook whose answer
    // says it never will work (404/410); escalation above is already scheduled, so it still runs.
    if (failures.length)
      throw new HavenError(`alert ${alert.id} delivery failed: ${failures.join('; ')}`, 'ALERT_DELIVERY_FAILED', {
        cause: webhookFailure,
        permanent: failures.length === 1 && webhookFailure instanceof HavenError && webhookFailure.permanent,
        context: { alertId: alert.id, level: job.level },
      });
    await this.store.markDelivered(alert.id, String(job.level));
  }

  /**
   * The alert's record, waited for a moment when it is not there yet: a job queued with a record
   * whose member link was guessed wrong ({@link raise}) finds it written one round trip later.
   */
  private async recorded(alertId: string): Promise<Alert | null> {
    const waitUntil = Date.now() + RECORD_WAIT_MS;
    for (;;) {
      const found = await this.store.get(alertId);
      if (found || Date.now() >= waitUntil) return found;
      await new Promise((r) => setTimeout(r, RECORD_POLL_MS));
    }
  }

  /**
   * The staff notice for an alert-owned send job, written when it is sent (the job holds only ids).
   * Null when the alert is gone.
   */
  async renderNotice(owner: SendOwner): Promise<{ text: string } | null> {
    if (owner.kind !== 'alert') return null;
    const alert = await this.store.get(owner.alertId);
    return alert ? { text: this.staffMessage(alert, owner.level, owner.hurried) } : null;
  }

  /** True when the level after `level` tells someone `level` did not (so hurrying it helps). */
  private nextLevelAddsTargets(level: number): boolean {
    const now = new Set(this.targetsFor(level));
    return this.targetsFor(level + 1).some((t) => !now.has(t));
  }

  /**
   * The platform's answer for an alert's message to one staff target (the sender calls this for
   * every message it sends; only alert-owned ones are acted on). Accepted: the target is told.
   * Refused, or failed (and being retried): recorded on the alert as not delivered, and the next
   * level's targets are told at once.
   */
  async reportSend(outcome: SendOutcome): Promise<void> {
    const owner = outcome.owner;
    if (owner.kind !== 'alert') return;
    if (outcome.delivered) {
      await this.store.noteTarget(owner.target, null);
      await this.store.append(owner.alertId, {
        at: Date.now(),
        event: 'delivered',
        detail: `told ${AlertService.targetName(owner.target)} (${outcome.channel} accepted it)`,
      });
      return;
    }
    const why = `${outcome.reason ?? 'not sent'}${outcome.final ? '' : ' (trying again)'}`;
    await this.notDelivered(owner.alertId, owner.level, owner.target, why);
  }

  /** Records "not delivered to X: why" on the alert and, while it is open, tells the next level now. */
  private async notDelivered(alertId: string, level: number, target: string, why: string, hurry = true): Promise<void> {
    const name = target === 'nobody' ? 'anyone' : AlertService.targetName(target);
    if (target !== 'nobody') await this.store.noteTarget(target, why);
    await this.store.append(alertId, {
      at: Date.now(),
      event: 'delivery_failed',
      detail: `not delivered to ${name}: ${why}`,
    });
    this.log.warn({ alertId, level, target: name }, 'safeguarding alert not delivered to a staff target');
    this.emit('not_delivered', alertId);
    if (hurry) await this.escalateNow(alertId, level);
  }

  /** Brings the next level's delivery forward to now (or queues it now), unless it adds nobody. */
  private async escalateNow(alertId: string, level: number): Promise<void> {
    if (level >= MAX_LEVEL || !this.nextLevelAddsTargets(level)) return;
    const alert = await this.store.get(alertId);
    if (!alert || alert.status !== 'open') return;
    const id = jobId('alert', alertId, String(level + 1));
    const existing = await this.queue.getJob(id);
    if (existing) {
      if (await existing.isDelayed()) {
        await existing.updateData({ ...(existing.data as AlertJob), hurried: true });
        await existing.promote().catch(() => undefined);
      }
      return;
    }
    const next: AlertJob = { alertId, level: level + 1, hurried: true };
    await this.queue.add(ALERT_JOB, next, { jobId: id, priority: 1 });
  }

  /**
   * Whether anyone can be told of an alert now. A target is reachable unless its last attempt
   * failed, or (chat) it cannot be reached now, or (email) no mail server is set up. The webhook
   * counts unless its last attempt failed.
   */
  async reachability(): Promise<Reachability> {
    const all = [...new Set([...this.settings.onDuty, ...this.settings.leads])];
    const last = await this.store.targetStates();
    const targets: Reachability['targets'] = [];
    for (const target of all) {
      let why: string | null = null;
      if (isEmailTarget(target)) {
        if (!this.settings.mailer) why = 'no mail server is set up (SMTP_URL)';
      } else {
        why = this.settings.canReach ? await this.settings.canReach(target) : null;
      }
      why ??= last.get(target) ?? null;
      targets.push({ target: AlertService.targetName(target), reachable: why === null, ...(why ? { why } : {}) });
    }
    if (this.settings.webhookUrl) {
      const why = last.get('webhook') ?? null;
      targets.push({ target: 'alert webhook', reachable: why === null, ...(why ? { why } : {}) });
    }
    if (targets.length === 0)
      return {
        ok: false,
        problem:
          'Nobody can be told of a safeguarding alert: no staff target is set up (SAFEGUARDING_ON_DUTY, SAFEGUARDING_LEADS or ALERT_WEBHOOK_URL).',
        targets,
      };
    if (!targets.some((t) => t.reachable))
      return {
        ok: false,
        problem: `Nobody can be told of a safeguarding alert right now: ${targets.map((t) => `${t.target}: ${t.why}`).join('; ')}.`,
        targets,
      };
    return { ok: true, targets };
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

  private staffMessage(alert: Alert, level: number, hurried?: boolean): string {
    const when = new Date(alert.createdAt).toISOString().replace('T', ' ').slice(0, 16);
    return [
      `${level > 0 ? `ESCALATED (${level}${hurried ? `: ${escalationWhy(hurried)}` : ''}) ` : ''}Safeguarding alert: ${alert.severity.toUpperCase()}, ${alert.category.replace(/_/g, ' ')}`,
      `From ${this.who(alert)} on ${alert.channel} at ${when} UTC.`,
      `They wrote: "${alert.text}"`,
      `Reply "ack ${alert.code}" when you are dealing with it, or open ${this.ackUrl(alert.id)}`,
    ].join('\n');
  }

  /** The email to one target: no words of the young person, only what staff need to open the alert. */
  private staffEmail(
    alert: Alert,
    level: number,
    target: string,
    hurried?: boolean,
  ): { to: string; subject: string; text: string } {
    const base = this.settings.publicUrl.replace(/\/$/, '');
    return {
      to: target.slice('email:'.length),
      subject: `${level > 0 ? `ESCALATED (${level}) ` : ''}Haven safeguarding alert ${alert.code}: ${alert.severity}`,
      text: [
        `${level > 0 ? `ESCALATED (${level}): ${escalationWhy(hurried)}.\n` : ''}A young person's message needs a safeguarding check.`,
        `Category: ${alert.category.replace(/_/g, ' ')}`,
        `Severity: ${alert.severity}`,
        `Code: ${alert.code}`,
        `Open the alert on the staff dashboard: ${base}/staff/alerts/${alert.id}`,
        `Acknowledge it there, or send "ack ${alert.code}" from a staff chat identity, when you are dealing with it.`,
        `What they wrote is on the dashboard only; it is never sent by email.`,
      ].join('\n'),
    };
  }

  /**
   * The alert webhook's body: category, severity, code and links; the young person's words (and
   * what matched in them) only with ALERT_WEBHOOK_INCLUDE_TEXT. Anything from outside Haven that
   * goes in `text` (a Slack or Teams message) has its chat markup escaped.
   */
  webhookBody(alert: Alert, level: number): Record<string, unknown> {
    const withText = this.settings.webhookIncludeText === true;
    const base = this.settings.publicUrl.replace(/\/$/, '');
    const dashboardUrl = `${base}/staff/alerts/${alert.id}`;
    const who = alert.memberName
      ? escapeChatMarkup(alert.memberName)
      : `a young person (${IdentityVault.shortName(alert.conversationId)})`;
    const text = [
      `${level > 0 ? `ESCALATED (${level}) ` : ''}Safeguarding alert: ${alert.severity.toUpperCase()}, ${alert.category.replace(/_/g, ' ')}`,
      `From ${who} on ${alert.channel} at ${new Date(alert.createdAt).toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
      ...(withText ? [`They wrote: "${escapeChatMarkup(alert.text)}"`] : []),
      `Code ${alert.code}. Open ${dashboardUrl}`,
    ].join('\n');
    return {
      type: 'safeguarding_alert',
      // `text` lets a Slack or Teams incoming webhook show it as it is.
      text,
      alert: {
        id: alert.id,
        code: alert.code,
        category: alert.category,
        severity: alert.severity,
        channel: alert.channel,
        member: alert.memberName ?? null,
        pseudonym: IdentityVault.shortName(alert.conversationId),
        ...(withText ? { message: alert.text, matched: alert.matched } : {}),
        createdAt: new Date(alert.createdAt).toISOString(),
        level,
        acknowledgeUrl: this.ackUrl(alert.id),
        dashboardUrl,
        reply: `Acknowledge with the link, on the staff dashboard, or by sending "ack ${alert.code}" from a staff chat identity.`,
      },
    };
  }

  private async postWebhook(alert: Alert, level: number): Promise<void> {
    const raw = JSON.stringify(this.webhookBody(alert, level));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // The same id for every retry of this alert's level, so a receiver can fold repeats.
    if (this.settings.webhookSecret)
      Object.assign(
        headers,
        signWebhook(this.settings.webhookSecret, `msg_${jobId('alert', alert.id, String(level))}`, raw),
      );
    const res = await fetch(this.settings.webhookUrl as string, {
      method: 'POST',
      headers,
      body: raw,
      timeout: 10_000,
    });
    if (!res.ok) {
      await this.store.noteTarget('webhook', `it answered ${res.status}`);
      throw new WebhookError('alert webhook', res.status);
    }
    await this.store.noteTarget('webhook', null);
  }
}

/** Why an alert went to the next level, in staff's words. */
function escalationWhy(hurried?: boolean): string {
  return hurried ? 'the staff on duty could not be told' : 'nobody acknowledged in time';
}
