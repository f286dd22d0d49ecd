import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { forgetMember, MemberNotFoundError, type MemberStore } from '../../domain/members';
import type { RequestService } from '../../domain/requests';
import { label, type ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { page } from '../layout';
import { joinCodeBody, membersBody } from '../pages/members';
import { sendHtml, sendMessage, seeOther } from '../respond';
import { zonedTime } from '../zoned';
import type { FlashStore } from '../flash';

const memberId = z.uuid();
const addBody = z.object({
  name: z.string().trim().min(1, "Give the young person's name.").max(80),
  consentBy: z.string().trim().min(1, 'Say who gave consent.').max(80),
  consentDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the date the form was signed.'),
});

/** Members: add with consent (shows the join code once), list with linked channels, new code, remove. */
export function registerMemberRoutes(
  app: FastifyInstance,
  d: {
    members: MemberStore;
    requests: RequestService;
    /** Group sign-ups go when a member is removed. */
    groups?: { eraseMember(memberId: string): Promise<number> };
    /** The staff inbox, whose threads are erased with the member. */
    conversations?: { erase(conversationIds: string[]): Promise<number> };
    auth: StaffAuth;
    audit: ViewAudit;
    timezone: string;
    joinCodeTtlDays: number;
    flash: FlashStore;
  },
): void {
  const { members, auth, audit, timezone } = d;
  const guard = { preHandler: auth.guard('members') };
  const today = () => new Date().toISOString().slice(0, 10);

  async function listPage(req: Parameters<typeof auth.loadSession>[0], error?: string) {
    const s = req.staff!;
    const list = await members.list();
    for (const m of list) await audit.recordOnce(s.account, 'member', m.id);
    return page(
      { title: 'Members', account: s.account, area: 'members', csrf: s.session.csrf },
      membersBody(list, s.session.csrf, timezone, today(), error),
    );
  }

  app.get('/staff/members', guard, async (req, reply) => sendHtml(reply, await listPage(req)));

  app.post('/staff/members', guard, async (req, reply) => {
    const b = addBody.safeParse(req.body ?? {});
    if (!b.success) return sendHtml(reply, await listPage(req, b.error.issues[0]?.message), 400);
    const consentAt = zonedTime(b.data.consentDate, '12:00', timezone);
    if (!Number.isFinite(consentAt) || consentAt > Date.now() + 24 * 3600_000)
      return sendHtml(reply, await listPage(req, 'The consent date must be a real date, not in the future.'), 400);
    const s = req.staff!;
    const { memberId: id, joinCode } = await members.add({
      name: b.data.name,
      consentBy: b.data.consentBy,
      consentAt,
      addedBy: label(s.account),
    });
    req.log.info({ memberId: id, staffId: s.account.id }, 'member added');
    // Post/redirect/get: a reload shows this code again; it never adds the member twice.
    return seeOther(reply, `/staff/members/code/${await d.flash.put(s.sessionId, { name: b.data.name, joinCode })}`);
  });

  app.get('/staff/members/code/:flash', guard, async (req, reply) => {
    const s = req.staff!;
    const shown = await d.flash.get<{ name: string; joinCode: string }>(
      s.sessionId,
      String((req.params as { flash: string }).flash),
    );
    if (!shown)
      return sendMessage(
        req,
        reply,
        404,
        'This join code is no longer shown',
        'Join codes are shown for 10 minutes after they are made, and only to the person who made them. If it was lost, give a new code from the Members list.',
      );
    return sendHtml(
      reply,
      page(
        { title: 'Join code', account: s.account, area: 'members', csrf: s.session.csrf },
        joinCodeBody(shown.name, shown.joinCode, d.joinCodeTtlDays),
      ),
    );
  });

  app.post('/staff/members/:id/code', guard, async (req, reply) => {
    const id = memberId.safeParse((req.params as { id: string }).id);
    const m = id.success ? await members.get(id.data) : null;
    if (!m) return sendMessage(req, reply, 404, 'Not found', 'There is no such member.');
    try {
      const code = await members.issueCode(m.id);
      const s = req.staff!;
      req.log.info({ memberId: m.id, staffId: s.account.id }, 'join code issued');
      return seeOther(reply, `/staff/members/code/${await d.flash.put(s.sessionId, { name: m.name, joinCode: code })}`);
    } catch (err) {
      if (err instanceof MemberNotFoundError)
        return sendMessage(req, reply, 404, 'Not found', 'There is no such member.');
      throw err;
    }
  });

  app.post('/staff/members/:id/remove', guard, async (req, reply) => {
    const id = memberId.safeParse((req.params as { id: string }).id);
    if (!id.success) return sendMessage(req, reply, 404, 'Not found', 'There is no such member.');
    if ((req.body as { confirm?: string } | undefined)?.confirm !== 'yes')
      return sendHtml(reply, await listPage(req, 'Tick the box to confirm the removal.'), 400);
    const done = await forgetMember(
      { members, requests: d.requests, groups: d.groups, conversations: d.conversations },
      id.data,
      {
        removeRecord: true,
        by: { kind: 'staff', name: req.staff!.account.name, via: 'dashboard' },
      },
    );
    if (!done) return sendMessage(req, reply, 404, 'Not found', 'There is no such member.');
    req.log.info({ memberId: id.data, staffId: req.staff!.account.id, requests: done.requests }, 'member removed');
    return seeOther(reply, '/staff/members');
  });
}
