import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../domain/alerts/service';
import { html } from '../html';
import { page } from '../layout';
import { sendHtml, sendMessage } from '../respond';

const params = z.object({ id: z.uuid() });
const sigQuery = z.object({ sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
const ackBody = z.object({ sig: z.string().max(100), name: z.string().trim().min(1).max(80) });

/**
 * The signed acknowledge link sent in alert messages: GET shows a confirmation page (link
 * previewers follow links, so GET never acknowledges); POST checks the signature and acknowledges.
 * The signature is the credential: no sign-in needed, so a worker on a phone can use it at once.
 */
export function registerAckLinkRoutes(app: FastifyInstance, d: { alerts: AlertService }): void {
  const { alerts } = d;

  app.get('/alerts/:id/ack', async (req, reply) => {
    const p = params.safeParse(req.params);
    const q = sigQuery.safeParse(req.query);
    if (!p.success || !q.success || !alerts.verify(p.data.id, q.data.sig))
      return sendMessage(req, reply, 403, 'Link not valid', 'This acknowledge link is not valid.');
    const alert = await alerts.store.get(p.data.id);
    if (!alert) return sendMessage(req, reply, 404, 'Not found', 'There is no such alert.');
    if (alert.status === 'acknowledged')
      return sendMessage(
        req,
        reply,
        200,
        `Alert ${alert.code} is already acknowledged`,
        `It was acknowledged by ${alert.acknowledgedBy ?? 'someone'}. Nothing more to do here.`,
      );
    return sendHtml(
      reply,
      page(
        { title: `Acknowledge alert ${alert.code}` },
        html`<h1>Acknowledge alert ${alert.code}</h1>
          <p>
            <span class="badge ${alert.severity}">${alert.severity}</span> ${alert.category.replace(/_/g, ' ')} on
            ${alert.channel}.
          </p>
          <p>Acknowledge it only if you are dealing with it now. It stops the escalation to the safeguarding lead.</p>
          <form method="post" action="/alerts/${alert.id}/ack" class="stack card">
            <input type="hidden" name="sig" value="${q.data.sig}" />
            <div>
              <label for="name">Your name <span class="hint">Recorded in the alert's record.</span></label>
              <input id="name" name="name" type="text" autocomplete="name" required maxlength="80" />
            </div>
            <div><button type="submit">I'm dealing with it: acknowledge</button></div>
          </form>`,
      ),
    );
  });

  app.post('/alerts/:id/ack', async (req, reply) => {
    const p = params.safeParse(req.params);
    const b = ackBody.safeParse(req.body ?? {});
    if (!p.success || !b.success)
      return sendMessage(req, reply, 400, 'Not acknowledged', 'Please give your name and try again.');
    if (!alerts.verify(p.data.id, b.data.sig))
      return sendMessage(req, reply, 403, 'Link not valid', 'This acknowledge link is not valid.');
    const done = await alerts.acknowledge(p.data.id, `${b.data.name} (signed link)`);
    req.log.info({ alertId: p.data.id, outcome: done ? 'acknowledged' : 'already' }, 'alert acknowledge by link');
    return done
      ? sendMessage(
          req,
          reply,
          200,
          `Alert ${done.code} acknowledged`,
          'Thank you. It will not escalate. Please record what you do in the dashboard.',
        )
      : sendMessage(req, reply, 200, 'Already acknowledged', 'Someone had already acknowledged this alert.');
  });
}
