import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { PlatformUnavailableError } from '../../common/errors';
import { classifyGraphError, type GraphCodeTable } from './graph-error';

/** Options for {@link postGraph}. */
export interface GraphPost {
  /** Where to POST: a URL, or one read once with {@link graphEndpoint} (an adapter's, sent to on every message). */
  url: string | GraphEndpoint;
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

/** A Graph API URL taken apart once, as Node's HTTP client wants it (see {@link graphEndpoint}). */
export interface GraphEndpoint {
  readonly secure: boolean;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  /** Path and query. */
  readonly path: string;
}

/**
 * A URL taken apart for {@link postGraph}, once: an adapter sends every message to the same one, and
 * a `URL` handed to Node's client is parsed into request options again on each request.
 * @throws TypeError when `url` is not a URL
 */
export function graphEndpoint(url: string): GraphEndpoint {
  const u = new URL(url);
  return {
    secure: u.protocol === 'https:',
    protocol: u.protocol,
    // As Node does for a URL: an IPv6 address without its brackets.
    hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port,
    path: `${u.pathname}${u.search}`,
  };
}

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
function post(
  url: string | GraphEndpoint,
  headers: Record<string, string | number>,
  body: Buffer,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = typeof url === 'string' ? graphEndpoint(url) : url;
    const secure = target.secure;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = (secure ? httpsRequest : httpRequest)(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers,
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
    // As bytes: handed a string, Node's client joins it to the request's header text in one more copy.
    const body = Buffer.from(JSON.stringify(p.body), 'utf8');
    res = await post(
      p.url,
      {
        'content-type': 'application/json',
        authorization: `Bearer ${p.token}`,
        'content-length': body.length,
      },
      body,
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
