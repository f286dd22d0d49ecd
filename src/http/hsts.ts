import type { FastifyInstance } from 'fastify';

/**
 * When Haven's public address is https (PUBLIC_URL), every answer tells browsers to use https
 * only (HSTS), so a staff member's browser never sends the session cookie in the clear.
 */
export function registerHsts(app: FastifyInstance, publicUrl: string | undefined): void {
  if (!publicUrl?.startsWith('https:')) return;
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });
}
