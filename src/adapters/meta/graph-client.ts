import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** Kept-alive connections to the Graph API (one TLS handshake per socket, not per message). */
const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** The answer to one POST: its status, body and Retry-After header. */
interface Answer {
  status: number;
  text: string;
  retryAfter: string | null;
}

/**
 * One POST with Node's own HTTP client (node-fetch's Request, Headers and stream objects cost about
 * as much as the rest of a reply's path). Rejects with the socket's error, or `request-timeout`
 * when no whole answer came within `timeoutMs`.
 */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        agent: secure ? AGENTS.https : AGENTS.http,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          });
        });
      },
    );
    const timer = setTimeout(() => {
      const err = Object.assign(new Error('request timed out'), { type: 'request-timeout' });
      fail(err);
      req.destroy(err);
    }, timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * POSTs JSON to the Graph API and returns the parsed answer, or throws a classified error
 * ({@link classifyGraphError}); network failures and timeouts are `PlatformUnavailableError`.
 */
export async function postGraph(p: GraphPost): Promise<unknown> {
  let res: Answer;
  try {
    res = await post(
      p.url,
      { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      JSON.stringify(p.body),
      p.timeoutMs ?? 10_000,
    );
  } catch (err) {
    // Only the reason: a message could name the URL.
    const reason = (err as { code?: string; type?: string }).code ?? (err as { type?: string }).type ?? 'network';
    throw new PlatformUnavailableError(`${p.product} unreachable (${reason})`);
  }
  let json: unknown;
  try {
    json = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status >= 200 && res.status < 300) return json;
  throw classifyGraphError(res.status, json, res.retryAfter, p.codes, p.product);
}
