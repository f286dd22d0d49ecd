import type { InboundMessage } from '../../engine/message';
import type { AcceptResult, AdapterContext } from './adapter';

/** How many of a batch were queued, folded as duplicates, or refused by the rate limit. */
export type AcceptCounts = Partial<Record<AcceptResult['outcome'], number>>;

/**
 * Hands a platform's batch of events to the engine one at a time, in order, so one person's
 * messages keep their order in the queue; resolves once every one is durably queued (the platform
 * is answered only then). A failure stops the batch and rejects, so the platform retries it; the
 * ones already queued are folded as duplicates on that retry.
 */
export async function acceptInOrder(ctx: AdapterContext, messages: readonly InboundMessage[]): Promise<AcceptCounts> {
  const counts: AcceptCounts = {};
  for (const m of messages) {
    const r = await ctx.accept(m);
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  }
  return counts;
}
