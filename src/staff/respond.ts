import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffAccount } from './accounts';
import { messagePage } from './layout';

/** The dashboard's Content-Security-Policy: only Haven's own script and style, QR images as data URLs. */
export const STAFF_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Sends a full HTML page with the dashboard's security headers. */
export function sendHtml(reply: FastifyReply, body: string, code = 200): FastifyReply {
  return reply
    .code(code)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', STAFF_CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

/** A short message page with a status code. */
export function sendMessage(
  req: FastifyRequest,
  reply: FastifyReply,
  code: number,
  heading: string,
  text: string,
  account?: StaffAccount,
): FastifyReply {
  return sendHtml(
    reply,
    messagePage(
      { title: heading, account: account ?? req.staff?.account, csrf: req.staff?.session.csrf },
      heading,
      text,
    ),
    code,
  );
}

/** After a form post: back to a page (303 so a reload does not post again). */
export function seeOther(reply: FastifyReply, to: string): FastifyReply {
  return reply.redirect(to, 303);
}
