import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { StaffAccount, StaffAccounts } from './accounts';
import { messagePage } from './layout';
import { canUse, type StaffArea } from './roles';
import type { SessionStore, StaffSession } from './sessions';

/** The session cookie's name. */
export const SESSION_COOKIE = 'haven_staff';
/** Holds the sign-in form's token before anyone is signed in (double-submit). */
export const PRE_COOKIE = 'haven_pre';

/** Who is signed in, attached to the request by {@link loadSession}. */
export interface SignedIn {
  account: StaffAccount;
  session: StaffSession;
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: SignedIn;
  }
}

/** Constant-time string comparison. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True for requests answered with JSON or a stream (401), false for pages (redirect to sign-in). */
export function isApi(url: string): boolean {
  return url.startsWith('/staff/api/') || url.startsWith('/staff/queues/api/') || url.startsWith('/staff/fragments/');
}

function cookieOptions(req: FastifyRequest, maxAgeSeconds?: number, https = false) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    // Behind a TLS proxy the request itself may look like plain http: PUBLIC_URL decides.
    secure: https || req.protocol === 'https',
    signed: true,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** Reads a signed cookie; undefined when absent or tampered with. */
export function signedCookie(req: FastifyRequest, name: string): string | undefined {
  const v = req.cookies[name];
  if (!v) return undefined;
  const u = req.unsignCookie(v);
  return u.valid && u.value ? u.value : undefined;
}

/** Session handling for the staff routes. */
export class StaffAuth {
  constructor(
    private readonly accounts: StaffAccounts,
    readonly sessions: SessionStore,
    /** A session ends this long after sign-in, however active (STAFF_SESSION_MAX_HOURS). */
    private readonly maxSessionMs = 12 * 3600_000,
    /** PUBLIC_URL is https: cookies are `Secure` whatever the request's own protocol. */
    private readonly https = false,
  ) {}

  /** A session too old (absolute lifetime) or from before the account's password was last set. */
  private expired(session: StaffSession, account: StaffAccount): boolean {
    return (
      Date.now() - session.createdAt > this.maxSessionMs ||
      (account.sessionsValidFrom !== undefined && session.createdAt < account.sessionsValidFrom)
    );
  }

  /** True while the request's session is live and its account enabled (checked by open event streams). */
  async stillSignedIn(req: FastifyRequest): Promise<boolean> {
    const s = req.staff;
    if (!s) return false;
    const [session, account] = await Promise.all([this.sessions.peek(s.sessionId), this.accounts.get(s.account.id)]);
    return session !== null && account !== null && !account.disabled && !this.expired(session, account);
  }

  /** onRequest hook: attaches `req.staff` when a valid session cookie comes with the request. */
  loadSession = async (req: FastifyRequest): Promise<void> => {
    const id = signedCookie(req, SESSION_COOKIE);
    if (!id) return;
    // A live view refreshing itself, or an open event stream, is not someone at the screen: it
    // must not keep an unattended dashboard signed in.
    const background =
      req.headers['x-haven-background'] === '1' || (req.url.startsWith('/staff/api/') && req.url.endsWith('/events'));
    const session = background ? await this.sessions.peek(id) : await this.sessions.touch(id);
    if (!session) return;
    const account = await this.accounts.get(session.accountId);
    if (!account || account.disabled || this.expired(session, account)) {
      await this.sessions.destroy(id);
      return;
    }
    req.staff = { account, session, sessionId: id };
  };

  /** Starts a new session (any old one is destroyed first: no fixation) and sets its cookie. */
  async signIn(req: FastifyRequest, reply: FastifyReply, account: StaffAccount): Promise<void> {
    const old = signedCookie(req, SESSION_COOKIE);
    if (old) await this.sessions.destroy(old);
    const { id } = await this.sessions.create(account.id);
    reply.setCookie(SESSION_COOKIE, id, cookieOptions(req, undefined, this.https));
    reply.clearCookie(PRE_COOKIE, { path: '/' });
  }

  async signOut(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (req.staff) await this.sessions.destroy(req.staff.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** The pre-session form token for the sign-in and setup forms, set as a signed cookie. */
  preToken(req: FastifyRequest, reply: FastifyReply): string {
    const existing = signedCookie(req, PRE_COOKIE);
    if (existing) return existing;
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(PRE_COOKIE, token, cookieOptions(req, 3600, this.https));
    return token;
  }

  checkPreToken(req: FastifyRequest, sent: string | undefined): boolean {
    return sameSecret(signedCookie(req, PRE_COOKIE), sent);
  }

  /**
   * preHandler for an area: not signed in → redirect to sign-in (pages) or 401 (API, streams);
   * wrong role → 403; a form post without the session's token → 403.
   */
  guard(area: StaffArea | 'any'): preHandlerAsyncHookHandler {
    return async (req, reply) => {
      const who = req.staff;
      if (!who) {
        if (isApi(req.url) || req.method !== 'GET') {
          return reply.code(401).header('cache-control', 'no-store').send({ error: 'sign in first' });
        }
        return reply.redirect(`/staff/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      if (area !== 'any' && !canUse(who.account.role, area)) {
        if (isApi(req.url)) return reply.code(403).send({ error: 'your role cannot use this' });
        return reply
          .code(403)
          .type('text/html; charset=utf-8')
          .send(
            messagePage(
              { title: 'Not allowed', account: who.account, csrf: who.session.csrf },
              'Not allowed',
              'Your role cannot open this part of the dashboard. Ask an admin if you need it.',
            ),
          );
      }
      if (req.method === 'POST' && !this.csrfOk(req)) {
        return reply
          .code(403)
          .type('text/plain; charset=utf-8')
          .send('This form has expired. Go back, reload and try again.');
      }
    };
  }

  /** The form's `_csrf` field (or `x-csrf-token` header) matches the session's token. */
  csrfOk(req: FastifyRequest): boolean {
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
    return sameSecret(req.staff?.session.csrf, typeof sent === 'string' ? sent : undefined);
  }
}
