import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { staffPassword, type StaffAccounts } from '../accounts';
import type { StaffAuth } from '../auth';
import type { LoginLimiter } from '../limiter';
import { loginPage, setupPage } from '../pages/login';
import { areasFor } from '../roles';
import { sendHtml, sendMessage, seeOther } from '../respond';

const loginBody = z.object({
  email: z.string().max(320).default(''),
  password: z.string().max(200).default(''),
  next: z.string().max(500).optional(),
  _pre: z.string().max(100).optional(),
});

const setupBody = z.object({
  password: z.string().max(400).default(''),
  confirm: z.string().max(400).default(''),
  _pre: z.string().max(100).optional(),
});

const setupToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** Only a path inside the dashboard, never another site (`//evil`). */
function safeNext(next: string | undefined): string {
  return next && /^\/staff(\/[A-Za-z0-9/_\-.?=&%]*)?$/.test(next) && !next.startsWith('//') ? next : '/staff';
}

/** Sign-in, sign-out, first password, and the landing redirect. */
export function registerSessionRoutes(
  app: FastifyInstance,
  d: { accounts: StaffAccounts; auth: StaffAuth; limiter: LoginLimiter },
): void {
  const { accounts, auth, limiter } = d;

  app.get('/staff', { preHandler: auth.guard('any') }, async (req, reply) => {
    const first = areasFor(req.staff!.account.role)[0];
    return seeOther(reply, `/staff/${first ?? 'requests'}`);
  });

  app.get('/staff/login', async (req, reply) => {
    if (req.staff) return seeOther(reply, '/staff');
    const q = z.object({ next: z.string().max(500).optional() }).safeParse(req.query);
    return sendHtml(reply, loginPage({ pre: auth.preToken(req, reply), next: q.success ? q.data.next : undefined }));
  });

  app.post('/staff/login', async (req, reply) => {
    const parsed = loginBody.safeParse(req.body ?? {});
    if (!parsed.success) return sendMessage(req, reply, 400, 'Sign-in failed', 'The form was not complete.');
    const b = parsed.data;
    if (!auth.checkPreToken(req, b._pre)) {
      return sendHtml(
        reply,
        loginPage({ pre: auth.preToken(req, reply), next: b.next, error: 'The form had expired. Please try again.' }),
        403,
      );
    }
    // Nothing is counted here: only a wrong password counts (below), so trying someone's address
    // cannot lock them out, and a sign-in that succeeds never counts.
    const limit = await limiter.check(req.ip, b.email);
    if (!limit.allowed) {
      req.log.warn({ outcome: 'rate_limited' }, 'staff sign-in refused');
      reply.header('retry-after', String(limit.retryAfterSeconds));
      return sendHtml(
        reply,
        loginPage({
          pre: auth.preToken(req, reply),
          next: b.next,
          email: b.email,
          error: `Too many attempts. Please wait ${waitWords(limit.retryAfterSeconds ?? 60)} and try again.`,
        }),
        429,
      );
    }
    const account = await accounts.authenticate(b.email, b.password);
    if (!account) {
      await limiter.fail(req.ip, b.email);
      req.log.info({ outcome: 'wrong_credentials' }, 'staff sign-in failed');
      return sendHtml(
        reply,
        loginPage({
          pre: auth.preToken(req, reply),
          next: b.next,
          email: b.email,
          error: 'That email and password do not match an active account.',
        }),
        401,
      );
    }
    await limiter.succeed(b.email);
    await auth.signIn(req, reply, account);
    req.log.info({ staffId: account.id, outcome: 'signed_in' }, 'staff signed in');
    return seeOther(reply, safeNext(b.next));
  });

  app.post('/staff/logout', { preHandler: auth.guard('any') }, async (req, reply) => {
    await auth.signOut(req, reply);
    return seeOther(reply, '/staff/login');
  });

  app.get('/staff/setup/:token', async (req, reply) => {
    const t = setupToken.safeParse((req.params as { token: string }).token);
    const account = t.success ? await accounts.peekSetupToken(t.data) : null;
    if (!account || account.disabled)
      return sendMessage(
        req,
        reply,
        410,
        'Link not valid',
        'This link has expired or was already used. Ask an admin for a new one.',
      );
    return sendHtml(
      reply,
      setupPage({ pre: auth.preToken(req, reply), token: t.data as string, name: account.name, email: account.email }),
    );
  });

  app.post('/staff/setup/:token', async (req, reply) => {
    const t = setupToken.safeParse((req.params as { token: string }).token);
    const account = t.success ? await accounts.peekSetupToken(t.data) : null;
    if (!t.success || !account || account.disabled)
      return sendMessage(
        req,
        reply,
        410,
        'Link not valid',
        'This link has expired or was already used. Ask an admin for a new one.',
      );
    const b = setupBody.safeParse(req.body ?? {});
    const again = (error: string, code: number) =>
      sendHtml(
        reply,
        setupPage({ pre: auth.preToken(req, reply), token: t.data, name: account.name, email: account.email, error }),
        code,
      );
    if (!b.success || !auth.checkPreToken(req, b.data._pre))
      return again('The form had expired. Please try again.', 403);
    const pw = staffPassword.safeParse(b.data.password);
    if (!pw.success) return again(pw.error.issues[0]?.message ?? 'Choose a longer password.', 400);
    if (b.data.password !== b.data.confirm) return again('The two passwords are different.', 400);
    const done = await accounts.setPasswordWithToken(t.data, pw.data);
    if (!done) return sendMessage(req, reply, 410, 'Link not valid', 'This link has expired or was already used.');
    await auth.signIn(req, reply, done);
    req.log.info({ staffId: done.id, outcome: 'password_set' }, 'staff password set');
    return seeOther(reply, '/staff');
  });
}

/** "20 seconds", "3 minutes". */
function waitWords(seconds: number): string {
  return seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
}
