import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queues } from '../../engine/queues';
import type { StaffAuth } from '../auth';

/** Bull Board's own UI loads only its bundled files (its Google Fonts link is refused: no external assets). */
const QUEUES_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * Bull Board under /staff/queues, admins only. Its API calls are JSON from its own page; a
 * state-changing call must come from this origin (Sec-Fetch-Site / Origin), which stands in for
 * the form token Bull Board cannot send.
 */
export async function registerQueueBoard(app: FastifyInstance, d: { auth: StaffAuth; queues: Queues }): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/staff/queues');
  createBullBoard({
    queues: d.queues.all().map((q) => new BullMQAdapter(q)),
    // @bull-board/fastify 9.10.1 bundles its own @bull-board/api 9.10.1 (we have 9.10.2): same shape, separate types.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: {
      uiConfig: {
        boardTitle: 'Haven queues',
        // A way back, and no link to an outside docs site.
        miscLinks: [{ text: 'Back to the dashboard', url: '/staff' }],
        hideDocsLink: true,
      },
    },
  });
  await app.register(
    async (scope) => {
      scope.addHook('preHandler', d.auth.guard('queues'));
      scope.addHook('preHandler', async (req, reply) => {
        if (req.method === 'GET' || req.method === 'HEAD') return;
        const site = req.headers['sec-fetch-site'];
        const origin = req.headers.origin;
        const sameOrigin =
          site === 'same-origin' || (typeof origin === 'string' && new URL(origin).host === req.headers.host);
        if (!sameOrigin) return reply.code(403).send({ error: 'cross-site request refused' });
      });
      scope.addHook('onSend', async (_req, reply, payload) => {
        reply.header('content-security-policy', QUEUES_CSP).header('cache-control', 'no-store');
        return payload;
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: '/staff/queues' },
  );
}
