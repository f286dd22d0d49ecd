import type { ChangeBus } from '../../engine/changes';
import { localDate } from '../pages/requests';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RequestError, type RequestService } from '../../domain/requests';
import type { ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { historyBody, mineBody, requestDetail, requestList, requestsBody } from '../pages/requests';
import { REQUEST_STATUSES, type OneToOneRequest, type RequestStatus } from '../../domain/requests/types';
import { sessionWarnings } from '../../domain/requests/suits';
import type { StaffAccount, StaffAccounts } from '../accounts';

/** Returned by an action that answered with a page of its own (a warning to confirm). */
const WARNED = Symbol('warned');
import { sendHtml, sendMessage, seeOther } from '../respond';
import type { Streams } from '../sse';
import { zonedTime } from '../zoned';

const requestId = z.uuid();
/** A worker chosen from the list: a staff account id, or `name:` and a name already on the request (typed on the command line). */
const workerChoice = z.string().trim().max(80);
const workersBody = z.object({
  worker1: workerChoice.min(1, 'Choose a youth worker.'),
  worker2: workerChoice.optional(),
});
const scheduleBody = workersBody.extend({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose a date.'),
  time: z.string().regex(/^\d{2}:\d{2}$/, 'Choose a time.'),
  place: z.string().trim().min(1, 'Say where the session is.').max(500),
  /** Set by "Schedule anyway" after a warning. */
  confirm: z.literal('yes').optional(),
});
const historyQuery = z.object({
  status: z.enum(['closed', 'done', 'cancelled', 'all']).catch('closed').default('closed'),
  member: z.string().trim().max(80).catch('').default(''),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
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
    accounts: StaffAccounts;
  },
): void {
  const { requests, auth, audit, streams, timezone } = d;

  /** Staff who can be named on a session: every enabled account. */
  async function workerAccounts(): Promise<StaffAccount[]> {
    return (await d.accounts.list()).filter((a) => !a.disabled).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The chosen workers as names (for the young person) and account ids (for "my sessions"). */
  async function chosenWorkers(
    r: OneToOneRequest,
    b: { worker1: string; worker2?: string },
  ): Promise<{ names: string[]; ids?: string[] }> {
    const picks = [...new Set([b.worker1, b.worker2 ?? ''].filter(Boolean))];
    const accounts = await workerAccounts();
    const names: string[] = [];
    const ids: string[] = [];
    for (const p of picks) {
      if (p.startsWith('name:')) {
        const name = p.slice(5);
        if (!r.workersAssigned.includes(name))
          throw new RequestError('INVALID', 'choose each youth worker from the list');
        names.push(name);
        continue;
      }
      const a = accounts.find((x) => x.id === p);
      if (!a) throw new RequestError('INVALID', 'choose each youth worker from the list');
      names.push(a.name);
      ids.push(a.id);
    }
    return { names, ids: ids.length === names.length ? ids : undefined };
  }
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

  async function detail(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    error?: string,
    code = 200,
    extra: { warnings?: string[]; draft?: Record<string, string> } = {},
  ) {
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
          workers: await workerAccounts(),
          warnings: extra.warnings,
          draft: extra.draft,
        }),
      ),
      code,
    );
  }

  app.get('/staff/requests/history', guard, async (req, reply) => {
    const q = historyQuery.parse(req.query ?? {});
    const statuses: RequestStatus[] =
      q.status === 'all' ? [...REQUEST_STATUSES] : q.status === 'closed' ? ['done', 'cancelled'] : [q.status];
    const from = q.from ? zonedTime(q.from, '00:00', timezone) : -Infinity;
    const to = q.to ? zonedTime(q.to, '23:59', timezone) + 59_999 : Infinity;
    const member = q.member.toLowerCase();
    const list = (await requests.list({ status: statuses }))
      .filter((r) => !member || r.memberName.toLowerCase().includes(member))
      .filter((r) => {
        const at = r.closedAt ?? r.createdAt;
        return at >= from && at <= to;
      })
      .sort((a, b) => (b.closedAt ?? b.createdAt) - (a.closedAt ?? a.createdAt))
      .slice(0, 500);
    for (const r of list) await audit.recordOnce(req.staff!.account, 'request', r.id);
    const s = req.staff!;
    return sendHtml(
      reply,
      page(
        { title: 'Request history', account: s.account, area: 'requests', csrf: s.session.csrf },
        historyBody(list, q, timezone),
      ),
    );
  });

  app.get('/staff/requests/mine', guard, async (req, reply) => {
    const s = req.staff!;
    const me = s.account;
    const list = (await requests.list())
      .filter((r) => r.workerIds?.includes(me.id))
      .sort((a, b) => (a.session?.at ?? Infinity) - (b.session?.at ?? Infinity) || a.createdAt - b.createdAt);
    for (const r of list) await audit.recordOnce(me, 'request', r.id);
    return sendHtml(
      reply,
      page({ title: 'My sessions', account: me, area: 'requests', csrf: s.session.csrf }, mineBody(list, timezone)),
    );
  });

  app.get('/staff/requests/:id', guard, async (req, reply) => {
    const id = requestId.safeParse((req.params as { id: string }).id);
    if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no request with that id.');
    return detail(req, reply, id.data);
  });

  /** Runs one staff action; a refused action shows the request again with the reason. */
  function action<S extends z.ZodType>(
    name: string,
    schema: S,
    run: (id: string, body: z.infer<S>, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) {
    app.post(`/staff/requests/:id/${name}`, guard, async (req, reply) => {
      const id = requestId.safeParse((req.params as { id: string }).id);
      if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no request with that id.');
      const body = schema.safeParse(req.body ?? {});
      if (!body.success) return detail(req, reply, id.data, body.error.issues[0]?.message ?? 'Check the form.', 400);
      try {
        const shown = await run(id.data, body.data, req, reply);
        if (shown === WARNED) return reply;
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

  const current = async (id: string) => {
    const r = await requests.get(id);
    if (!r) throw new RequestError('NOT_FOUND', 'There is no request with that id. It may have been deleted.');
    return r;
  };
  action('claim', z.object({}), (id, _b, req) => requests.claim(id, by(req)));
  action('assign', workersBody, async (id, b, req) => {
    const w = await chosenWorkers(await current(id), b);
    return requests.assign(id, w.names, by(req), w.ids);
  });
  action('schedule', scheduleBody, async (id, b, req, reply) => {
    const at = zonedTime(b.date, b.time, timezone);
    if (!Number.isFinite(at)) throw new RequestError('INVALID', 'that is not a real date and time');
    const r = await current(id);
    const w = await chosenWorkers(r, b);
    // A time that does not fit what they said suits them (or 4:25 in the morning) is asked about first.
    const warnings = sessionWarnings(r.when, at, timezone);
    if (warnings.length && b.confirm !== 'yes') {
      const { confirm: _c, ...draft } = b;
      await detail(req, reply, id, undefined, 200, { warnings, draft: draft as Record<string, string> });
      return WARNED;
    }
    return requests.schedule(id, { at: new Date(at), place: b.place, workers: w.names, workerIds: w.ids }, by(req));
  });
  action('message', messageBody, (id, b, req) => requests.message(id, b.text, by(req)));
  action('close', closeBody, (id, b, req) =>
    requests.close(id, b.outcome, by(req), { reason: b.outcome === 'cancelled' ? b.reason : undefined }),
  );
}
