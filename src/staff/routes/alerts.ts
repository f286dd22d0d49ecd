import type { ConversationService } from '../../domain/conversations';
import type { ChangeBus } from '../../engine/changes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CATEGORIES } from '../../safeguarding/types';
import type { AlertListener, AlertService } from '../../domain/alerts/service';
import type { Alert } from '../../domain/alerts/store';
import { exportAlert } from '../../domain/alerts/export';
import { label, type ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { alertDetail, alertList, alertsBody, sortAlerts } from '../pages/alerts';
import { sendHtml, sendMessage, seeOther } from '../respond';
import type { Streams } from '../sse';

const alertId = z.uuid();
const noteBody = z.object({ kind: z.enum(['note', 'action']), text: z.string().trim().min(1).max(4000) });
const feedbackBody = z.discriminatedUnion('verdict', [
  z.object({ verdict: z.literal('not_concern') }),
  z.object({ verdict: z.literal('wrong_category'), category: z.enum(CATEGORIES) }),
]);

/** What the dashboard's live status says of each kind of alert change. */
const LIVE_SAYS: Record<Parameters<AlertListener>[0]['type'], string> = {
  raised: 'New alert',
  acknowledged: 'An alert was acknowledged',
  escalated: 'An alert escalated',
  not_delivered: 'An alert could not be delivered',
};

/** The live status's words for an alert change heard from the bus (a kind this process does not know: "changed"). */
function liveSay(type: unknown): string {
  return typeof type === 'string' && Object.hasOwn(LIVE_SAYS, type)
    ? LIVE_SAYS[type as keyof typeof LIVE_SAYS]
    : 'An alert changed';
}

/** How often the same person viewing the same alert is recorded again. */
const VIEW_RECORD_EVERY_SECONDS = 600;

/** The alerts pages, actions, export and live stream. */
export function registerAlertRoutes(
  app: FastifyInstance,
  d: {
    alerts: AlertService;
    /** To link an alert to its conversation in the inbox. */
    conversations?: Pick<ConversationService, 'current'>;
    changes: ChangeBus;
    auth: StaffAuth;
    audit: ViewAudit;
    streams: Streams;
    timezone: string;
  },
): void {
  const { alerts, auth, audit, streams, timezone } = d;
  const guard = { preHandler: auth.guard('alerts') };

  /** Records a view in the alert's own record and the audit stream (at most once per person every 10 min). */
  async function recordViews(req: FastifyRequest, shown: Alert[], where: string): Promise<void> {
    const me = req.staff!.account;
    for (const a of shown) {
      if (!(await audit.recordOnce(me, 'alert', a.id, VIEW_RECORD_EVERY_SECONDS))) continue;
      await alerts.store.append(a.id, { at: Date.now(), event: 'viewed', by: label(me), detail: where });
    }
  }

  /** Every open alert, however old, then the newest acknowledged ones. */
  async function listed(): Promise<Alert[]> {
    const [open, recent] = await Promise.all([
      alerts.store.list({ openOnly: true, limit: 1000 }),
      alerts.store.list({ limit: 200 }),
    ]);
    const ids = new Set(open.map((a) => a.id));
    return sortAlerts([...open, ...recent.filter((a) => !ids.has(a.id))]);
  }

  app.get('/staff/alerts', guard, async (req, reply) => {
    const list = await listed();
    await recordViews(req, list, 'alert list');
    const s = req.staff!;
    return sendHtml(
      reply,
      page(
        { title: 'Alerts', account: s.account, area: 'alerts', csrf: s.session.csrf },
        alertsBody(list, s.session.csrf, timezone),
      ),
    );
  });

  app.get('/staff/fragments/alerts', guard, async (req, reply) => {
    const list = await listed();
    await recordViews(req, list, 'alert list');
    return sendHtml(reply, alertList(list, req.staff!.session.csrf, timezone).value);
  });

  app.get('/staff/api/alerts/events', guard, async (req, reply) => {
    streams.start(
      req,
      reply,
      (send) =>
        d.changes.on('alerts', (e) =>
          send('change', {
            type: e.type,
            alertId: e.alertId,
            say: liveSay(e.type),
          }),
        ),
      () => auth.stillSignedIn(req),
    );
  });

  app.get('/staff/alerts/export', guard, async (req, reply) => {
    const me = req.staff!.account;
    await audit.record(me, 'alerts-export', 'all');
    const lines: string[] = [];
    for await (const a of alerts.store.exportAll()) {
      lines.push(JSON.stringify(exportAlert(a, timezone)));
      await alerts.store.append(a.id, { at: Date.now(), event: 'viewed', by: label(me), detail: 'exported' });
    }
    req.log.info({ staffId: me.id, count: lines.length }, 'alerts exported');
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="alerts-${new Date().toISOString().slice(0, 10)}.jsonl"`)
      .header('cache-control', 'no-store')
      .send(lines.map((l) => `${l}\n`).join(''));
  });

  app.get('/staff/alerts/:id', guard, async (req, reply) => {
    const id = alertId.safeParse((req.params as { id: string }).id);
    const alert = id.success ? await alerts.store.get(id.data) : null;
    if (!alert) return sendMessage(req, reply, 404, 'Not found', 'There is no alert with that id.');
    const me = req.staff!.account;
    // Every opening of the full record is recorded, not deduplicated.
    await alerts.store.append(alert.id, { at: Date.now(), event: 'viewed', by: label(me), detail: 'full record' });
    await audit.record(me, 'alert', alert.id);
    const [history, conversation] = await Promise.all([
      alerts.store.history(alert.id),
      d.conversations?.current(alert.conversationId) ?? null,
    ]);
    const s = req.staff!;
    return sendHtml(
      reply,
      page(
        { title: `Alert ${alert.code}`, account: s.account, area: 'alerts', csrf: s.session.csrf },
        alertDetail(alert, history, s.session.csrf, timezone, conversation?.id),
      ),
    );
  });

  app.post('/staff/alerts/:id/ack', guard, async (req, reply) => {
    const id = alertId.safeParse((req.params as { id: string }).id);
    if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no alert with that id.');
    const me = req.staff!.account;
    const done = await alerts.acknowledge(id.data, `${label(me)} (dashboard)`);
    req.log.info({ alertId: id.data, staffId: me.id, outcome: done ? 'acknowledged' : 'already' }, 'alert acknowledge');
    const from = (req.query as { from?: string }).from;
    return seeOther(reply, from === 'detail' ? `/staff/alerts/${id.data}` : '/staff/alerts');
  });

  app.post('/staff/alerts/:id/notes', guard, async (req, reply) => {
    const id = alertId.safeParse((req.params as { id: string }).id);
    const alert = id.success ? await alerts.store.get(id.data) : null;
    if (!alert) return sendMessage(req, reply, 404, 'Not found', 'There is no alert with that id.');
    const b = noteBody.safeParse(req.body);
    if (!b.success) return sendMessage(req, reply, 400, 'Not saved', 'Write something to add, up to 4,000 characters.');
    const me = req.staff!.account;
    await alerts.store.append(alert.id, { at: Date.now(), event: b.data.kind, by: label(me), detail: b.data.text });
    req.log.info({ alertId: alert.id, staffId: me.id, kind: b.data.kind }, 'alert record added');
    return seeOther(reply, `/staff/alerts/${alert.id}`);
  });

  // Staff's verdict on the screen ("not a concern", "wrong category → X"), kept in the alert's record for the next
  // training run (`haven screen feedback export`); the screen is never retrained automatically.
  app.post('/staff/alerts/:id/feedback', guard, async (req, reply) => {
    const id = alertId.safeParse((req.params as { id: string }).id);
    const alert = id.success ? await alerts.store.get(id.data) : null;
    if (!alert) return sendMessage(req, reply, 404, 'Not found', 'There is no alert with that id.');
    const b = feedbackBody.safeParse(req.body);
    if (!b.success || (b.data.verdict === 'wrong_category' && b.data.category === alert.category)) {
      return sendMessage(req, reply, 400, 'Not saved', 'Choose "not a concern", or the category it should have been.');
    }
    const me = req.staff!.account;
    await alerts.store.setFeedback(alert.id, { ...b.data, by: label(me), at: Date.now() });
    req.log.info({ alertId: alert.id, staffId: me.id, verdict: b.data.verdict }, 'screen feedback');
    return seeOther(reply, `/staff/alerts/${alert.id}`);
  });
}
