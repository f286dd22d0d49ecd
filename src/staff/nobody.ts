import type { FastifyInstance } from 'fastify';
import { html } from './html';

/** What the banner needs: whether anyone can be told of an alert now, and if not, why. */
export type NobodyCanBeTold = () => { ok: boolean; problem?: string };

const MAIN = '<main id="main" tabindex="-1">';

/**
 * While nobody can be told of a safeguarding alert, every dashboard page (signed in or not) opens
 * with a banner saying so, added to each HTML page as it leaves, so no page can forget it.
 */
export function registerNobodyBanner(app: FastifyInstance, state: NobodyCanBeTold): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload !== 'string' || !req.url.startsWith('/staff')) return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const now = state();
    if (now.ok || !payload.includes(MAIN)) return payload;
    // A landmark rather than role="alert": it stands on every page, and a page's own form error
    // must still be the one thing announced.
    const banner = html`<section class="notice urgent nobody" aria-label="Safeguarding warning" data-nobody-can-be-told>
      <strong>Warning:</strong> ${now.problem ?? 'Nobody can be told of a safeguarding alert.'} Alerts are still
      recorded here: check this dashboard until it is fixed.
    </section>`.value;
    return payload.replace(MAIN, `${MAIN}${banner}`);
  });
}
