import type { ChangeBus } from '../../engine/changes';
import { localDate } from '../pages/requests';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RequestError, type RequestService } from '../../domain/requests';
import type { ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { requestDetail, requestList, requestsBody } from '../pages/requests';
import { sendHtml, sendMessage, seeOther } from '../respond';
import type { Streams } from '../sse';
import { zonedTime } from '../zoned';

const requestId = z.uuid();
const workerName = z.string().trim().max(60);
const workersBody = z.object({ worker1: workerName.min(1), worker2: workerName.optional() });
const scheduleBody = workersBody.extend({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose a date.'),
  time: z.string().regex(/^\d{2}:\d{2}$/, 'Choose a time.'),
  place: z.string().trim().min(1, 'Say where the session is.').max(500),
});
const messageBody = z.object({ text: z.string().trim().min(1, 'Write a message.').max(2000) });
const closeBody = z.object({
  outcome: z.enum(['done', 'cancelled']),
  reason: z.string().trim().max(500, 'Keep the reason under 500 characters.').optional(),
});

/** The coordinator's queue: list (live), one request, claim, assign, schedule, message, close. */
export function registerRequestRoutes(
  app: FastifyInstance,
  d: {
    requests: RequestService;
    changes: ChangeBus;
    auth: StaffAuth;
    audit: ViewAudit;
    streams: Streams;
    timezone: string;
  },
): void {
  const { requests, auth, audit, streams, timezone } = d;
  const guard = { preHandler: auth.guard('requests') };
  const by = (req: FastifyRequest) => req.staff!.account.name;

  async function openList(req: FastifyRequest) {
    const list = await requests.list();
    for (const r of list) await audit.recordOnce(req.staff!.account, 'request', r.id);
    return list;
  }

  app.get('/staff/requests', guard, async (req, reply) => {
    const s = req.staff!;
    return sendHtml(
      reply,
      page(
        { title: 'Requests', account: s.account, area: 'requests', csrf: s.session.csrf },
        requestsBody(await openList(req), s.session.csrf, timezone),
      ),
    );
  });

  app.get('/staff/fragments/requests', guard, async (req, reply) =>
    sendHtml(reply, requestList(await openList(req), req.staff!.session.csrf, timezone).value),
  );

  app.get('/staff/api/requests/events', guard, async (req, reply) => {
    streams.start(
      req,
      reply,
      (send) =>
        d.changes.on('requests', (c) =>
          send('change', {
            type: c.type,
            requestId: c.requestId,
            say: c.type === 'created' ? 'New request' : 'Updated',
          }),
        ),
      () => auth.stillSignedIn(req),
    );
  });

  async function detail(req: FastifyRequest, reply: FastifyReply, id: string, error?: string, code = 200) {
    const r = await requests.get(id);
    if (!r)
      return sendMessage(req, reply, 404, 'Not found', 'There is no request with that id. It may have been deleted.');
    await audit.record(req.staff!.account, 'request', r.id);
    const s = req.staff!;
    const today = localDate(Date.now(), timezone);
    return sendHtml(
      reply,
      page(
        { title: `Request: ${r.memberName}`, account: s.account, area: 'requests', csrf: s.session.csrf },
        requestDetail(r, await requests.history(r.id), s.session.csrf, timezone, {
          today,
          error,
          optedOut: await requests.optedOut(r.conversationId),
        }),
      ),
      code,
    );
  }

  app.get('/staff/requests/:id', guard, async (req, reply) => {
    const id = requestId.safeParse((req.params as { id: string }).id);
    if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no request with that id.');
    return detail(req, reply, id.data);
  });

  /** Runs one staff action; a refused action shows the request again with the reason. */
  function action<S extends z.ZodType>(
    name: string,
    schema: S,
    run: (id: string, body: z.infer<S>, req: FastifyRequest) => Promise<unknown>,
  ) {
    app.post(`/staff/requests/:id/${name}`, guard, async (req, reply) => {
      const id = requestId.safeParse((req.params as { id: string }).id);
      if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no request with that id.');
      const body = schema.safeParse(req.body ?? {});
      if (!body.success) return detail(req, reply, id.data, body.error.issues[0]?.message ?? 'Check the form.', 400);
      try {
        await run(id.data, body.data, req);
      } catch (err) {
        if (err instanceof RequestError) {
          if (err.code === 'NOT_FOUND') return sendMessage(req, reply, 404, 'Not found', err.message);
          return detail(req, reply, id.data, `Not done: ${err.message}.`, 409);
        }
        throw err;
      }
      req.log.info({ requestId: id.data, staffId: req.staff!.account.id, action: name }, 'request action');
      return seeOther(reply, name === 'claim' ? '/staff/requests' : `/staff/requests/${id.data}`);
    });
  }

  const workers = (b: { worker1: string; worker2?: string }) => [b.worker1, b.worker2 ?? ''].filter(Boolean);
  action('claim', z.object({}), (id, _b, req) => requests.claim(id, by(req)));
  action('assign', workersBody, (id, b, req) => requests.assign(id, workers(b), by(req)));
  action('schedule', scheduleBody, async (id, b, req) => {
    const at = zonedTime(b.date, b.time, timezone);
    if (!Number.isFinite(at)) throw new RequestError('INVALID', 'that is not a real date and time');
    return requests.schedule(id, { at: new Date(at), place: b.place, workers: workers(b) }, by(req));
  });
  action('message', messageBody, (id, b, req) => requests.message(id, b.text, by(req)));
  action('close', closeBody, (id, b, req) =>
    requests.close(id, b.outcome, by(req), { reason: b.outcome === 'cancelled' ? b.reason : undefined }),
  );
}
