import { WebhookError } from '../../common/errors';
import fetch from 'node-fetch';
import { IdentityVault } from '../../engine/identity';
import type { Logger } from '../../common/logger';
import { isEmailTarget, type Mailer } from '../../common/mailer';
import { escapeChatMarkup, signWebhook } from '../../common/webhook';
import { jobId } from '../../engine/queues';
import { MEETING_PLATFORM_NAMES } from '../../common/meeting';
import type { Outbox } from '../../engine/outbox';
import type { RequestStore } from './store';
import { staffSummary } from './texts';

/** Job name on the `tasks` queue for a coordinator notification. */
export const COORDINATOR_TASK = 'coordinator-notify';

/** Job data for {@link COORDINATOR_TASK}: ids and the least text needed. */
export type CoordinatorNotice =
  | { kind: 'new_request' | 'request_changed' | 'request_cancelled'; requestId: string }
  | { kind: 'data_deleted'; memberName: string; at: number; by?: DeletedBy };

/** Who had a member's data deleted: the young person ("delete my data") or a named member of staff. */
export type DeletedBy = { kind: 'young_person' } | { kind: 'staff'; name: string; via: 'dashboard' | 'cli' };

/** Settings for coordinator notifications. */
export interface CoordinatorSettings {
  /** COORDINATOR_WEBHOOK_URL: Slack/Teams-style incoming webhook (gets JSON with a `text`). */
  webhookUrl?: string;
  /** Signs each POST with Standard Webhooks headers. */
  webhookSecret?: string;
  /**
   * COORDINATOR_WEBHOOK_INCLUDE_TEXT: put what the young person wrote for staff (the request's note)
   * in the webhook, which leaves Haven for another service. Default: left out, with a link to the dashboard.
   */
  webhookIncludeText?: boolean;
  /** Pseudonymous conversation ids of the coordinators' own chat identities (COORDINATOR_IDS). */
  coordinatorIds: string[];
  /** Sends the `email:` coordinator targets' mail; without it they cannot be told. */
  mailer?: Mailer;
  timezone: string;
  /** Base URL of the staff dashboard, for a link in the message. */
  publicUrl?: string;
}

const WEBHOOK_TYPES = {
  new_request: 'one_to_one_request',
  request_changed: 'one_to_one_request_changed',
  request_cancelled: 'one_to_one_request_cancelled',
  data_deleted: 'member_data_deleted',
} as const;

/**
 * Tells the coordinator about new, changed and cancelled requests and about data deletions: a
 * POST to the coordinator webhook and a message to each coordinator chat identity. Runs as a job
 * on the `tasks` queue; a failed webhook throws so the queue retries (chat messages have stable
 * ids, so a retry does not send them twice). Never includes phone numbers or platform ids.
 */
export class CoordinatorNotifier {
  constructor(
    private readonly store: RequestStore,
    private readonly outbox: Outbox,
    private readonly settings: CoordinatorSettings,
    private readonly log: Logger,
  ) {}

  /** True when this conversation is one of the coordinators' chat identities. */
  isCoordinator(conversationId: string): boolean {
    return this.settings.coordinatorIds.includes(conversationId);
  }

  /** The task handler. */
  async deliver(notice: CoordinatorNotice, jobKey: string): Promise<void> {
    const render = await this.build(notice);
    if (!render) return;
    const built = render(true);
    for (const id of this.settings.coordinatorIds) {
      if (isEmailTarget(id)) continue;
      await this.outbox.send(id, { text: built.text }, 'staff_notice', `coord:${jobKey}:${id}`);
    }
    // Email carries no names or words: what happened and a dashboard link. A refused address
    // throws, so the queue tries again (chat messages above are not sent twice: stable job ids).
    const emails = this.settings.coordinatorIds.filter(isEmailTarget);
    if (emails.length) {
      if (!this.settings.mailer) throw new Error('coordinator email targets are set but no mail server (SMTP_URL)');
      for (const to of emails)
        await this.settings.mailer.send({ to: to.slice('email:'.length), ...this.email(notice) });
    }
    if (this.settings.webhookUrl) {
      // What the young person wrote goes to another service only when the charity says so.
      const hook = this.settings.webhookIncludeText ? built : render(false);
      // Names and notes come from outside Haven: their chat markup is escaped in `text`.
      const raw = JSON.stringify({
        type: WEBHOOK_TYPES[notice.kind],
        text: escapeChatMarkup(hook.text),
        ...hook.body,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.settings.webhookSecret)
        Object.assign(headers, signWebhook(this.settings.webhookSecret, `msg_${jobId('coord', jobKey)}`, raw));
      const res = await fetch(this.settings.webhookUrl, { method: 'POST', headers, body: raw, timeout: 10_000 });
      if (!res.ok) throw new WebhookError('coordinator webhook', res.status);
    }
    this.log.info({ kind: notice.kind, targets: this.settings.coordinatorIds.length }, 'coordinator notified');
  }

  private email(notice: CoordinatorNotice): { subject: string; text: string } {
    const base = (this.settings.publicUrl ?? '').replace(/\/$/, '');
    const what = {
      new_request: 'A new one-to-one request',
      request_changed: 'A one-to-one request was changed',
      request_cancelled: 'A one-to-one request was cancelled',
      data_deleted: 'A member asked Haven to delete their data',
    }[notice.kind];
    const link =
      notice.kind === 'data_deleted' ? `${base}/staff/members` : `${base}/staff/requests/${notice.requestId}`;
    return { subject: `Haven: ${what.toLowerCase()}`, text: `${what}.\nOpen it on the staff dashboard: ${link}` };
  }

  /**
   * Reads what the notice is about once (the request, its place in the queue), and gives the message
   * built from it, with or without the note the young person wrote; null when the request is gone.
   */
  private async build(notice: CoordinatorNotice): Promise<((includeNote: boolean) => BuiltNotice) | null> {
    if (notice.kind === 'data_deleted') {
      const by = notice.by ?? { kind: 'young_person' };
      const what =
        by.kind === 'staff'
          ? `${by.name} removed ${notice.memberName} from the members list (${by.via === 'cli' ? 'with the haven command line' : 'on the dashboard'}). Their member record, join code, chat links and one-to-one requests have been deleted`
          : `${notice.memberName} asked Haven to delete their data. Their chat links, conversation and one-to-one requests have been deleted`;
      const built: BuiltNotice = {
        text: `${what} (safeguarding records are kept). Please update your own records if needed.`,
        body: {
          member: notice.memberName,
          at: new Date(notice.at).toISOString(),
          requestedBy: by.kind,
          ...(by.kind === 'staff' ? { by: by.name, via: by.via } : {}),
        },
      };
      return () => built;
    }
    const r = await this.store.get(notice.requestId);
    if (!r) return null;
    const position = await this.store.position(r.id);
    const waiting = await this.store.queueLength();
    const heading = {
      new_request: `New one-to-one request from ${r.memberName}`,
      request_changed: `${r.memberName} changed their one-to-one request`,
      request_cancelled: `${r.memberName} cancelled their one-to-one request`,
    }[notice.kind];
    const link = this.settings.publicUrl
      ? `\n${this.settings.publicUrl.replace(/\/$/, '')}/staff/requests/${r.id}`
      : '';
    return (includeNote) => {
      const leftOut = !includeNote && r.note !== undefined;
      const summary = staffSummary(leftOut ? { ...r, note: undefined } : r, this.settings.timezone);
      const text = `${heading} (on ${r.channel}${position ? `, number ${position} of ${waiting} waiting` : ''}).\n${summary}${leftOut ? '\nThey left a note for you: read it on the dashboard.' : ''}${link}`;
      return {
        text,
        body: {
          request: {
            id: r.id,
            status: r.status,
            member: r.memberName,
            memberId: r.memberId,
            channel: r.channel,
            pseudonym: IdentityVault.shortName(r.conversationId),
            platform: r.platform,
            platformName: MEETING_PLATFORM_NAMES[r.platform],
            when: r.when,
            workers: r.workers,
            note: leftOut ? null : (r.note ?? null),
            ...(leftOut ? { noteLeftOut: true } : {}),
            askedFor: r.askedFor ?? null,
            createdAt: new Date(r.createdAt).toISOString(),
            position,
            waiting,
          },
        },
      };
    };
  }
}

/** A coordinator notice: its chat text and the webhook's JSON body. */
interface BuiltNotice {
  text: string;
  body: Record<string, unknown>;
}
