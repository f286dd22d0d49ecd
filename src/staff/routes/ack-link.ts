import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../domain/alerts/service';
import { html, type SafeHtml } from '../html';
import { page } from '../layout';
import { sendHtml, sendMessage, seeOther } from '../respond';

const params = z.object({ id: z.uuid() });
const sigQuery = z.object({
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  done: z.literal('ack').or(z.literal('note')).optional(),
});
const ackBody = z.object({ sig: z.string().max(100), name: z.string().trim().min(1).max(80) });
const noteBody = ackBody.extend({ text: z.string().trim().min(1).max(4000) });

/** The form for adding what was done to the alert's record, from the link's page (no dashboard access needed). */
function noteForm(id: string, sig: string): SafeHtml {
  return html`<h2 id="note-h">Record what you did</h2>
    <p>Add what you did or who you told. It goes into the alert's record for the safeguarding lead.</p>
    <form method="post" action="/alerts/${id}/note" class="stack card" aria-labelledby="note-h">
      <input type="hidden" name="sig" value="${sig}" />
      <div>
        <label for="note-name">Your name</label>
        <input id="note-name" name="name" type="text" autocomplete="name" required maxlength="80" />
      </div>
      <div>
        <label for="note-text">What you did</label>
        <textarea id="note-text" name="text" maxlength="4000" required></textarea>
      </div>
      <div><button type="submit">Add to the record</button></div>
    </form>`;
}

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
    if (alert.status === 'acknowledged') {
      const done = q.data.done;
      return sendHtml(
        reply,
        page(
          { title: `Alert ${alert.code} acknowledged` },
          html`<h1>Alert ${alert.code} ${done === 'ack' ? 'acknowledged' : 'is acknowledged'}</h1>
            ${
              done === 'note'
                ? html`<p class="notice" role="status">Thank you. Your note is in the alert's record.</p>`
                : done === 'ack'
                  ? html`<p class="notice" role="status">Thank you. It will not escalate.</p>`
                  : html`<p>It was acknowledged by ${alert.acknowledgedBy ?? 'someone'}.</p>`
            }
            ${noteForm(alert.id, q.data.sig)}`,
        ),
      );
    }
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
    // Post/redirect/get: the page after shows the outcome and the form to record what was done.
    return seeOther(reply, `/alerts/${p.data.id}/ack?sig=${encodeURIComponent(b.data.sig)}${done ? '&done=ack' : ''}`);
  });

  app.post('/alerts/:id/note', async (req, reply) => {
    const p = params.safeParse(req.params);
    const b = noteBody.safeParse(req.body ?? {});
    if (!p.success || !b.success)
      return sendMessage(
        req,
        reply,
        400,
        'Not saved',
        'Please give your name and what you did (up to 4,000 characters).',
      );
    if (!alerts.verify(p.data.id, b.data.sig))
      return sendMessage(req, reply, 403, 'Link not valid', 'This link is not valid.');
    const alert = await alerts.store.get(p.data.id);
    if (!alert) return sendMessage(req, reply, 404, 'Not found', 'There is no such alert.');
    await alerts.store.append(alert.id, {
      at: Date.now(),
      event: 'action',
      by: `${b.data.name} (signed link)`,
      detail: b.data.text,
    });
    req.log.info({ alertId: alert.id }, 'alert record added by link');
    return seeOther(reply, `/alerts/${alert.id}/ack?sig=${encodeURIComponent(b.data.sig)}&done=note`);
  });
}
