import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queues } from '../../engine/queues';
import type { StaffAuth } from '../auth';

/** Bull Board's own UI loads only its bundled files (its Google Fonts link is refused: no external assets). */
const QUEUES_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** Always-visible way back, put into Bull Board's page (its own menu has no link out). */
const BACK_LINK =
  '<a id="haven-back" href="/staff" style="position:fixed;right:1rem;bottom:1rem;z-index:2147483647;background:#3b2d8f;color:#fff;border:2px solid #fff;padding:.5rem 1rem;border-radius:.35rem;font:600 15px/1.4 system-ui,sans-serif;text-decoration:underline">&larr; Back to the Haven dashboard</a>';

/**
 * Bull Board's HTML page without anything from outside Haven (it links Google Fonts: the policy
 * blocks outside assets, and the browser should not even ask), and with the back link added.
 * Only its HTML page is touched; its scripts, styles and JSON pass through as they are.
 */
export function havenQueuesPage(page: string): string {
  return page
    .replace(/<link[^>]+href="https?:\/\/fonts\.(googleapis|gstatic)\.com[^>]*>\s*/gi, '')
    .replace(/<link[^>]+rel="preconnect"[^>]*>\s*/gi, '')
    .replace(/<body([^>]*)>/i, `<body$1>${BACK_LINK}`);
}

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
        const type = String(reply.getHeader('content-type') ?? '');
        if (type.startsWith('text/html') && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
          const page = havenQueuesPage(payload.toString());
          reply.header('content-length', Buffer.byteLength(page));
          return page;
        }
        return payload;
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: '/staff/queues' },
  );
}
