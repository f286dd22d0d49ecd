import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConversationError, type ConversationService, type InboxConversation } from '../../domain/conversations';
import type { ChangeBus } from '../../engine/changes';
import type { StaffAccount, StaffAccounts } from '../accounts';
import type { ViewAudit } from '../audit';
import type { StaffAuth } from '../auth';
import { html, raw } from '../html';
import { page } from '../layout';
import {
  CONVERSATIONS_CSS,
  CONVERSATIONS_JS,
  conversationDetail,
  conversationList,
  conversationsBody,
  threadView,
} from '../pages/conversations';
import { sendHtml, sendMessage, seeOther } from '../respond';
import type { Streams } from '../sse';

const conversationId = z.uuid();
const replyBody = z.object({
  text: z.string().trim().min(1, 'Write a message.').max(2000, 'At most 2,000 characters.'),
});
const assignBody = z.object({ staffId: z.string().min(1, 'Choose who to give it to.').max(100) });

/** A safeguarding lead sees only the conversations linked to alerts; everyone else with the area sees all. */
function mayView(who: StaffAccount, c: InboxConversation): boolean {
  return who.role !== 'safeguarding-lead' || c.alertIds.length > 0;
}

/**
 * The staff inbox: the list (live, with notifications), a thread (live; viewing it is audited),
 * reply through the young person's own channel, take, assign to a named account, hand back, close.
 */
export function registerConversationRoutes(
  app: FastifyInstance,
  d: {
    conversations: ConversationService;
    accounts: StaffAccounts;
    changes: ChangeBus;
    auth: StaffAuth;
    audit: ViewAudit;
    streams: Streams;
    timezone: string;
  },
): void {
  const { conversations, auth, audit, streams, timezone } = d;
  const guard = { preHandler: auth.guard('conversations') };
  const holder = (a: StaffAccount) => ({ id: a.id, name: a.name });

  app.get('/staff/assets/conversations.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CONVERSATIONS_JS),
  );
  app.get('/staff/assets/conversations.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONVERSATIONS_CSS),
  );
  const css = raw('<link rel="stylesheet" href="/staff/assets/conversations.css" />');

  async function rows(who: StaffAccount) {
    return (await conversations.list(who.id)).filter((r) => mayView(who, r.conversation));
  }

  app.get('/staff/conversations', guard, async (req, reply) => {
    const s = req.staff!;
    return sendHtml(
      reply,
      page(
        { title: 'Conversations', account: s.account, area: 'conversations', csrf: s.session.csrf },
        html`${css}${conversationsBody(await rows(s.account), s.account, s.session.csrf, timezone)}`,
      ),
    );
  });

  app.get('/staff/fragments/conversations', guard, async (req, reply) =>
    sendHtml(
      reply,
      conversationList(await rows(req.staff!.account), req.staff!.account, req.staff!.session.csrf, timezone).value,
    ),
  );

  const SAY: Record<string, string> = { opened: 'New conversation', message: 'New message' };
  app.get('/staff/api/conversations/events', guard, async (req, reply) => {
    const who = req.staff!.account;
    streams.start(
      req,
      reply,
      (send) =>
        d.changes.on('conversations', (c) => {
          const id = String(c.id);
          const type = String(c.type);
          const out = () => send('change', { type, id, say: SAY[type] ?? 'Updated' });
          if (who.role !== 'safeguarding-lead') return out();
          void conversations.get(id).then((conv) => {
            if (conv && mayView(who, conv)) out();
          });
        }),
      () => auth.stillSignedIn(req),
    );
  });

  app.get('/staff/api/conversations/:id/events', guard, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    streams.start(
      req,
      reply,
      (send) =>
        d.changes.on('conversations', (c) => {
          if (c.id === id) send('change', { type: c.type, id, say: SAY[String(c.type)] ?? 'Updated' });
        }),
      () => auth.stillSignedIn(req),
    );
  });

  async function load(req: FastifyRequest): Promise<InboxConversation | null> {
    const id = conversationId.safeParse((req.params as { id: string }).id);
    if (!id.success) return null;
    const c = await conversations.get(id.data);
    return c && mayView(req.staff!.account, c) ? c : null;
  }

  async function live(req: FastifyRequest, c: InboxConversation) {
    const s = req.staff!;
    const [thread, win, staff] = await Promise.all([
      conversations.thread(c.id),
      conversations.window(c),
      d.accounts.list(),
    ]);
    await conversations.markRead(c.id, s.account.id);
    const assignable = staff.filter((a) => !a.disabled && a.role !== 'safeguarding-lead');
    return {
      win,
      view: threadView(c, thread, win, s.account, assignable, conversations.isOverdue(c), s.session.csrf, timezone),
    };
  }

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    sendMessage(req, reply, 404, 'Not found', 'There is no such conversation. It may have been closed and deleted.');

  async function detail(
    req: FastifyRequest,
    reply: FastifyReply,
    c: InboxConversation,
    opts: { error?: string; draft?: string } = {},
    code = 200,
  ) {
    const s = req.staff!;
    await audit.record(s.account, 'conversation', c.id);
    const { win, view } = await live(req, c);
    return sendHtml(
      reply,
      page(
        { title: `Conversation: ${c.name}`, account: s.account, area: 'conversations', csrf: s.session.csrf },
        html`${css}${conversationDetail(c, view, win, s.session.csrf, opts)}`,
      ),
      code,
    );
  }

  app.get('/staff/conversations/:id', guard, async (req, reply) => {
    const c = await load(req);
    return c ? detail(req, reply, c) : notFound(req, reply);
  });

  app.get('/staff/fragments/conversations/:id', guard, async (req, reply) => {
    const c = await load(req);
    if (!c) return notFound(req, reply);
    await audit.recordOnce(req.staff!.account, 'conversation', c.id);
    return sendHtml(reply, (await live(req, c)).view.value);
  });

  /** One staff action; a refused one shows the conversation again with the reason (and keeps a typed reply). */
  function action<S extends z.ZodType>(
    name: string,
    schema: S,
    run: (c: InboxConversation, body: z.infer<S>, who: StaffAccount) => Promise<unknown>,
  ) {
    app.post(`/staff/conversations/:id/${name}`, guard, async (req, reply) => {
      const c = await load(req);
      if (!c) return notFound(req, reply);
      const raw = (req.body ?? {}) as { text?: unknown };
      const draft = typeof raw.text === 'string' ? raw.text : undefined;
      const body = schema.safeParse(req.body ?? {});
      if (!body.success) return detail(req, reply, c, { error: body.error.issues[0]?.message, draft }, 400);
      try {
        await run(c, body.data, req.staff!.account);
      } catch (err) {
        if (err instanceof ConversationError) {
          if (err.code === 'NOT_FOUND') return notFound(req, reply);
          const fresh = (await conversations.get(c.id)) ?? c;
          return detail(
            req,
            reply,
            fresh,
            { error: `Not sent or done: ${err.message.replace(/\.$/, '')}.`, draft },
            409,
          );
        }
        throw err;
      }
      req.log.info({ inboxId: c.id, staffId: req.staff!.account.id, action: name }, 'conversation action');
      return seeOther(reply, `/staff/conversations/${c.id}`);
    });
  }

  action('take', z.object({}), (c, _b, who) => conversations.take(c.id, holder(who)));
  action('assign', assignBody, async (c, b, who) => {
    const to = await d.accounts.get(b.staffId);
    if (!to || to.disabled || to.role === 'safeguarding-lead')
      throw new ConversationError('INVALID', 'choose a staff account from the list');
    return conversations.assign(c.id, holder(to), who.name);
  });
  action('handback', z.object({}), (c, _b, who) => conversations.handBack(c.id, who.name));
  action('close', z.object({}), (c, _b, who) => conversations.close(c.id, who.name));
  action('reply', replyBody, (c, b, who) => conversations.reply(c.id, holder(who), b.text));
}
