import { errorFields } from '../../common/errors';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../common/logger';
import { checkHandshake } from './handshake';
import { SIGNATURE_HEADER, verifySignature } from './signature';
import { parseJsonBody } from '../../http/json';

/** What a Meta webhook body handler concluded. */
export type WebhookVerdict = { ok: true } | { ok: false; error: string };

/** Options for {@link registerMetaWebhook}. */
export interface MetaWebhookOptions {
  /** e.g. `/webhooks/messenger` */
  path: string;
  appSecret: string;
  verifyToken: string;
  /** Largest body accepted (bytes); default 1 MB. */
  bodyLimit?: number;
  log: Logger;
  /**
   * Validates a signed, parsed body and accepts every event in it. Resolves `{ok: false}` for a
   * body that is not this platform's event (400); throws when an event could not be stored (503).
   */
  handle(body: unknown): Promise<WebhookVerdict>;
}

/** Default body limit for Meta webhooks. */
export const META_BODY_LIMIT = 1024 * 1024;

/**
 * Registers Meta's webhook pair on `path`: the `GET` verification handshake and the `POST` whose
 * `X-Hub-Signature-256` is checked over the raw bytes before any JSON is parsed. Runs inside an
 * encapsulated plugin whose JSON parser keeps the raw body, so the rest of the app is unchanged.
 * Answers 403 (bad or missing signature), 400 (not JSON or not this platform's event), 503 (not
 * stored: Meta retries), 200 only once every event is accepted.
 */
export function registerMetaWebhook(app: FastifyInstance, o: MetaWebhookOptions): void {
  const bodyLimit = o.bodyLimit ?? META_BODY_LIMIT;
  app.register(async (scope) => {
    const keepRaw = (_req: unknown, body: Buffer | string, done: (err: Error | null, body?: unknown) => void) =>
      done(null, Buffer.isBuffer(body) ? body : Buffer.from(body));
    // The signature is over the raw bytes: this scope keeps them (the app's own JSON parser is replaced here).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, keepRaw);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, keepRaw);

    scope.get(o.path, async (req, reply) => {
      const result = checkHandshake(req.query, o.verifyToken);
      if (!result.ok) {
        o.log.warn({ route: o.path }, 'webhook verification refused');
        return reply.code(403).type('text/plain; charset=utf-8').send('Forbidden');
      }
      o.log.info({ route: o.path }, 'webhook verified');
      return reply.code(200).type('text/plain; charset=utf-8').send(result.challenge);
    });

    scope.post(o.path, { bodyLimit }, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifySignature(raw, req.headers[SIGNATURE_HEADER], o.appSecret)) {
        o.log.warn(
          { route: o.path, signature: req.headers[SIGNATURE_HEADER] ? 'wrong' : 'missing' },
          'webhook signature refused',
        );
        return reply.code(403).send({ error: 'invalid signature' });
      }
      let body: unknown;
      try {
        body = parseJsonBody(raw.toString('utf8'));
      } catch (err) {
        return reply.code(400).send({ error: (err as Error).message });
      }
      let verdict: WebhookVerdict;
      try {
        verdict = await o.handle(body);
      } catch (err) {
        o.log.error({ route: o.path, err: errorFields(err) }, 'webhook events not stored');
        return reply.code(503).header('retry-after', '5').send({ error: 'not stored; please retry' });
      }
      if (!verdict.ok) return reply.code(400).send({ error: verdict.error });
      return reply.code(200).type('text/plain; charset=utf-8').send('EVENT_RECEIVED');
    });
  });
}
