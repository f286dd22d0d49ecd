import { HavenError } from '../../common/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GroupError, type GroupInput, type GroupService } from '../../domain/groups';
import type { StaffAccounts } from '../accounts';
import type { ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { html } from '../html';
import { page } from '../layout';
import { EMPTY_FORM, formValues, groupDetail, groupForm, groupsBody, type GroupFormValues } from '../pages/groups';
import { localDate } from '../pages/requests';
import { sendHtml, sendMessage, seeOther } from '../respond';
import { zonedTime } from '../zoned';
import type { StaffRole } from '../accounts';

/** Who may create, edit, move and cancel sessions (workers see lists and mark attendance). */
export const GROUP_MANAGERS: readonly StaffRole[] = ['coordinator', 'admin'];

const groupId = z.uuid();
const memberId = z.string().min(1).max(80);
const text = (max: number) => z.string().max(max).default('');
const formBody = z.object({
  title: text(200),
  description: text(1000),
  date: text(20),
  time: text(10),
  minutes: text(10),
  link: text(600),
  capacity: text(10),
  ageMin: text(5),
  ageMax: text(5),
  workers: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((w) => (w === undefined ? [] : Array.isArray(w) ? w : [w]))
    .pipe(z.array(z.string().max(80)).max(20)),
  firstSession: z.string().max(5).optional(),
});

/** `/staff/groups`: sessions, their sign-up and waiting lists, create, edit/move, cancel, attendance. */
export function registerGroupRoutes(
  app: FastifyInstance,
  d: { groups: GroupService; accounts: StaffAccounts; auth: StaffAuth; audit: ViewAudit; timezone: string },
): void {
  const { groups, auth, audit, timezone: tz } = d;
  const guard = { preHandler: auth.guard('groups') };
  const canManage = (req: FastifyRequest) => GROUP_MANAGERS.includes(req.staff!.account.role);
  const by = (req: FastifyRequest) => req.staff!.account.name;
  const today = () => localDate(Date.now(), tz);
  const frame = (req: FastifyRequest, title: string) => ({
    title,
    account: req.staff!.account,
    area: 'groups' as const,
    csrf: req.staff!.session.csrf,
  });
  const notAllowed = (req: FastifyRequest, reply: FastifyReply) =>
    sendMessage(req, reply, 403, 'Not allowed', 'Only coordinators and admins can create or change group sessions.');

  /** The form's values as a session, or the reason they are not one. */
  function toInput(v: GroupFormValues): GroupInput | string {
    const at = zonedTime(v.date, v.time, tz);
    if (!Number.isFinite(at)) return 'Choose a real date and start time.';
    const num = (s: string) => (/^\d{1,4}$/.test(s.trim()) ? Number(s.trim()) : NaN);
    const minutes = num(v.minutes);
    const capacity = num(v.capacity);
    if (!Number.isFinite(minutes)) return 'Give the length as a number of minutes.';
    if (!Number.isFinite(capacity)) return 'Give the number of places as a number.';
    const age = (s: string) => (s.trim() ? num(s) : undefined);
    const ageMin = age(v.ageMin);
    const ageMax = age(v.ageMax);
    if (Number.isNaN(ageMin) || Number.isNaN(ageMax)) return 'Give ages as numbers, or leave them empty.';
    return {
      title: v.title,
      description: v.description,
      at,
      minutes,
      capacity,
      link: v.link,
      ageMin,
      ageMax,
      workers: v.workers,
      firstSession: v.firstSession,
    };
  }

  function valuesOf(body: z.infer<typeof formBody>, editing: boolean): GroupFormValues {
    const { firstSession, ...rest } = body;
    return { ...rest, ...(editing ? { firstSession: firstSession === 'yes' } : {}) };
  }

  async function newPage(req: FastifyRequest, reply: FastifyReply, v: GroupFormValues, error?: string, code = 200) {
    const form = groupForm(v, {
      action: '/staff/groups',
      submit: 'Create the session',
      csrf: req.staff!.session.csrf,
      staff: await d.accounts.list(),
      tz,
      today: today(),
      editing: false,
    });
    return sendHtml(
      reply,
      page(
        frame(req, 'New group session'),
        html`<p><a href="/staff/groups">← All groups</a></p>
          <h1 id="group-form-h">New group session</h1>
          ${error ? html`<p class="error" role="alert">${error}</p>` : ''} ${form}`,
      ),
      code,
    );
  }

  async function detail(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    o: { error?: string; values?: GroupFormValues; code?: number; done?: string } = {},
  ) {
    const s = await groups.get(id);
    if (!s) return sendMessage(req, reply, 404, 'Not found', 'There is no group session with that id.');
    await audit.record(req.staff!.account, 'group', id);
    const manage = canManage(req);
    const form = manage
      ? groupForm(o.values ?? formValues(s, tz), {
          action: `/staff/groups/${id}/edit`,
          submit: 'Save changes',
          csrf: req.staff!.session.csrf,
          staff: await d.accounts.list(),
          tz,
          today: today(),
          editing: true,
        })
      : undefined;
    return sendHtml(
      reply,
      page(
        frame(req, `Group: ${s.title}`),
        groupDetail(s, await groups.places(id), {
          csrf: req.staff!.session.csrf,
          tz,
          now: Date.now(),
          canManage: manage,
          form,
          error: o.error,
          done: o.done,
          linkMinutes: groups.linkMinutesBefore,
        }),
      ),
      o.code ?? 200,
    );
  }

  app.get('/staff/groups', guard, async (req, reply) => {
    const sessions = await Promise.all(
      (await groups.listAll()).map(async (session) => {
        const { booked, waiting } = await groups.places(session.id);
        return { session, booked: booked.length, waiting: waiting.length };
      }),
    );
    return sendHtml(
      reply,
      page(frame(req, 'Groups'), groupsBody(sessions, { canManage: canManage(req), now: Date.now(), tz })),
    );
  });

  app.get('/staff/groups/new', guard, async (req, reply) => {
    if (!canManage(req)) return notAllowed(req, reply);
    return newPage(req, reply, EMPTY_FORM);
  });

  app.post('/staff/groups', guard, async (req, reply) => {
    if (!canManage(req)) return notAllowed(req, reply);
    const body = formBody.safeParse(req.body ?? {});
    if (!body.success) return newPage(req, reply, EMPTY_FORM, 'The form was not complete.', 400);
    const values = valuesOf(body.data, false);
    const input = toInput(values);
    if (typeof input === 'string') return newPage(req, reply, values, input, 400);
    try {
      const s = await groups.create(input, by(req));
      req.log.info({ groupId: s.id, staffId: req.staff!.account.id }, 'group session created');
      return seeOther(reply, `/staff/groups/${s.id}`);
    } catch (err) {
      if (err instanceof GroupError) return newPage(req, reply, values, `Not created: ${err.message}.`, 400);
      throw err;
    }
  });

  app.get('/staff/groups/:id', guard, async (req, reply) => {
    const id = groupId.safeParse((req.params as { id: string }).id);
    if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no group session with that id.');
    const q = z
      .object({ done: z.enum(['saved', 'moved', 'cancelled', 'sent', 'marked']).optional() })
      .safeParse(req.query);
    const words = {
      saved: 'Saved.',
      moved: 'Moved. Everyone signed up or waiting is being told the new time.',
      cancelled: 'Cancelled. Everyone signed up or waiting is being told.',
      sent: 'Message sent.',
      marked: 'Attendance saved.',
    } as const;
    return detail(req, reply, id.data, { done: q.success && q.data.done ? words[q.data.done] : undefined });
  });

  /** One action on a session; a refusal shows the session again with the reason. */
  function action<S extends z.ZodType>(
    name: string,
    schema: S,
    managersOnly: boolean,
    run: (id: string, body: z.infer<S>, req: FastifyRequest) => Promise<string>,
  ) {
    app.post(`/staff/groups/:id/${name}`, guard, async (req, reply) => {
      if (managersOnly && !canManage(req)) return notAllowed(req, reply);
      const id = groupId.safeParse((req.params as { id: string }).id);
      if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no group session with that id.');
      const body = schema.safeParse(req.body ?? {});
      if (!body.success)
        return detail(req, reply, id.data, { error: body.error.issues[0]?.message ?? 'Check the form.', code: 400 });
      try {
        const done = await run(id.data, body.data, req);
        req.log.info({ groupId: id.data, staffId: req.staff!.account.id, action: name }, 'group action');
        return seeOther(reply, `/staff/groups/${id.data}?done=${done}`);
      } catch (err) {
        if (err instanceof FormError)
          return detail(req, reply, id.data, { error: err.message, values: err.values, code: 400 });
        if (err instanceof GroupError) {
          if (err.code === 'NOT_FOUND' && name !== 'attendance' && name !== 'message')
            return sendMessage(req, reply, 404, 'Not found', err.message);
          return detail(req, reply, id.data, { error: `Not done: ${err.message}.`, code: 409 });
        }
        throw err;
      }
    });
  }

  action('edit', formBody, true, async (id, body, req) => {
    const values = valuesOf(body, true);
    const input = toInput(values);
    if (typeof input === 'string') throw new FormError(input, values);
    const before = await groups.get(id);
    try {
      const after = await groups.edit(id, input, by(req));
      return before && before.at !== after.at ? 'moved' : 'saved';
    } catch (err) {
      if (err instanceof GroupError && err.code !== 'NOT_FOUND')
        throw new FormError(`Not saved: ${err.message}.`, values);
      throw err;
    }
  });
  action(
    'cancel',
    z.object({ confirm: z.literal('yes', { message: 'Tick the box to confirm.' }) }),
    true,
    async (id, _b, req) => {
      await groups.cancel(id, by(req));
      return 'cancelled';
    },
  );
  action('attendance', z.object({ memberId, attended: z.enum(['yes', 'no']) }), false, async (id, b) => {
    await groups.markAttendance(id, b.memberId, b.attended === 'yes');
    return 'marked';
  });
  action(
    'message',
    z.object({ memberId, text: z.string().trim().min(1, 'Write a message.').max(2000) }),
    false,
    async (id, b, req) => {
      await groups.message(id, b.memberId, b.text, by(req));
      return 'sent';
    },
  );
}

/** A form that cannot become a session; carries what was typed so it is shown again. */
class FormError extends HavenError {
  constructor(
    message: string,
    readonly values: GroupFormValues,
  ) {
    super(message, 'FORM_INVALID');
  }
}
