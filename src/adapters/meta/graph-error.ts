import { z } from 'zod';
import { PlatformRefusedError, PlatformUnavailableError } from '../../common/errors';

/** Meta's Graph API error body: `{error: {message, type, code, error_subcode, fbtrace_id}}`. */
export const graphErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** Which Graph error codes mean what, for one platform (Messenger and WhatsApp add their own). */
export interface GraphCodeTable {
  /** Rate limits: retried after Retry-After (or {@link DEFAULT_RATE_LIMIT_WAIT_MS}). */
  rateLimited: readonly number[];
  /** The person cannot be reached this way any more: failed at once, recorded, never retried. */
  unreachable: readonly number[];
  /** Meta's own temporary failures: retried with backoff like a 5xx. */
  temporary: readonly number[];
}

/** Codes every Graph API product shares: 4, 17, 32, 613 rate limits; 10 and 200-299 permissions. */
export const GRAPH_CODES: GraphCodeTable = {
  rateLimited: [4, 17, 32, 613],
  unreachable: [10],
  temporary: [1, 2],
};

/** How long to wait after a rate limit when Meta gave no Retry-After. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Retry-After (seconds or an HTTP date) in ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Turns a Graph API error answer into Haven's errors: rate limits (HTTP 429 or a rate-limit code)
 * → {@link PlatformRefusedError} with `retryAfterMs`; 5xx or a temporary code →
 * {@link PlatformUnavailableError}; an unreachable person (the table's codes, 200-299 permission
 * errors, 100/2018001 no matching user) → a permanent refusal; any other 4xx → a refusal. The
 * error message carries codes and Meta's trace id only, never Meta's text (it can quote ids).
 */
export function classifyGraphError(
  status: number,
  body: unknown,
  retryAfterHeader: string | null | undefined,
  table: GraphCodeTable,
  product: string,
): PlatformRefusedError | PlatformUnavailableError {
  const parsed = graphErrorBody.safeParse(body);
  const e = parsed.success ? parsed.data.error : undefined;
  const code = e?.code;
  const sub = e?.error_subcode;
  const label = `${product} error ${code ?? 'unknown'}${sub !== undefined ? `/${sub}` : ''} (HTTP ${status}${e?.fbtrace_id ? `, trace ${e.fbtrace_id}` : ''})`;
  const has = (list: readonly number[]) => code !== undefined && (list.includes(code) || false);
  const retryAfter = parseRetryAfter(retryAfterHeader);

  if (status === 429 || has(GRAPH_CODES.rateLimited) || has(table.rateLimited)) {
    return new PlatformRefusedError(`rate limited: ${label}`, status, {
      platformCode: code,
      retryAfterMs: retryAfter ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  if (status >= 500 || has(GRAPH_CODES.temporary) || has(table.temporary)) {
    return new PlatformUnavailableError(`temporarily unavailable: ${label}`, { retryAfterMs: retryAfter });
  }
  const permission = code !== undefined && code >= 200 && code <= 299;
  const noSuchUser = code === 100 && sub === 2018001;
  if (has(GRAPH_CODES.unreachable) || has(table.unreachable) || permission || noSuchUser) {
    return new PlatformRefusedError(`person unreachable: ${label}`, status, { platformCode: code, permanent: true });
  }
  return new PlatformRefusedError(`refused: ${label}`, status, { platformCode: code });
}
