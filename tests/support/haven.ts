import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../../src/config';
import { startHaven, type Haven, type StartOptions } from '../../src/main';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from './redis';

export { cleanupPrefix, REDIS_URL, uniquePrefix };
export { captureLogger, waitFor } from './util';

/** Settings for a test: port 0, loopback, silent logs, its own Redis prefix. */
export function testConfig(prefix: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    // Every test request comes from 127.0.0.1: the per-address limit is tested on its own.
    WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE: '100000',
    ...overrides,
  });
}

/** A running Haven on its own prefix; `stop()` closes it and deletes its keys. */
export async function startTestHaven(
  name: string,
  overrides: Record<string, string> = {},
  opts: StartOptions = {},
): Promise<Haven & { prefix: string; shutdown(): Promise<void> }> {
  const prefix = uniquePrefix(name);
  const haven = await startHaven(testConfig(prefix, overrides), opts);
  return {
    ...haven,
    prefix,
    shutdown: async () => {
      await haven.stop();
      await cleanupPrefix(prefix);
    },
  };
}

/** One request a {@link StubServer} received. */
export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/** A loopback HTTP server standing in for a platform (Graph API, Bot Connector, a webhook receiver). */
export interface StubServer {
  url: string;
  requests: StubRequest[];
  /** Replaces how it answers; default 200 `{}`. */
  respond: (handler: (req: StubRequest, res: ServerResponse) => void) => void;
  close(): Promise<void>;
}

export async function startStub(): Promise<StubServer> {
  const requests: StubRequest[] = [];
  let handler: (req: StubRequest, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
