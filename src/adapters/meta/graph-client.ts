import fetch from 'node-fetch';
import { PlatformUnavailableError } from '../../common/errors';
import { classifyGraphError, type GraphCodeTable } from './graph-error';

/** Options for {@link postGraph}. */
export interface GraphPost {
  url: string;
  /** Sent as `Authorization: Bearer`, never in the URL, so no log or error message can carry it. */
  token: string;
  body: unknown;
  codes: GraphCodeTable;
  /** Names the product in error messages, e.g. "Messenger". */
  product: string;
  timeoutMs?: number;
}

/**
 * POSTs JSON to the Graph API and returns the parsed answer, or throws a classified error
 * ({@link classifyGraphError}); network failures and timeouts are `PlatformUnavailableError`.
 */
export async function postGraph(p: GraphPost): Promise<unknown> {
  let res;
  try {
    res = await fetch(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      body: JSON.stringify(p.body),
      timeout: p.timeoutMs ?? 10_000,
    });
  } catch (err) {
    // node-fetch's message names the URL; keep only the reason.
    const reason = (err as { code?: string; type?: string }).code ?? (err as { type?: string }).type ?? 'network';
    throw new PlatformUnavailableError(`${p.product} unreachable (${reason})`);
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json;
  throw classifyGraphError(res.status, json, res.headers.get('retry-after'), p.codes, p.product);
}
