import { errorFields } from '../../common/errors';
import type { FastifyInstance } from 'fastify';
import type { CloudAdapter, Request, Response, TurnContext } from 'botbuilder';
import type { Logger } from '../../common/logger';
import { checkActivity } from './activity';
import type { TurnOutcome } from './inbound';
import { parseJsonBody } from '../../http/json';

/**
 * botbuilder's `Response` (the restify/express shape `CloudAdapter.process` writes to), kept in
 * memory so the Fastify reply is decided after the turn: a turn whose message was not stored
 * must answer 503, whatever botbuilder would have said.
 */
export class BufferedResponse implements Response {
  socket: unknown = null;
  statusCode = 200;
  body: unknown;
  readonly headers: Record<string, string> = {};
  ended = false;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  header(name: string, value: unknown): this {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    this.ended = true;
    return this;
  }
}

/** What the route needs: botbuilder's adapter and the turn logic. */
export interface MessagesRouteDeps {
  /** No app id: unauthenticated, so only a local Emulator's serviceUrl is accepted. */
  emulatorMode: boolean;
  cloud: CloudAdapter;
  turn: (context: TurnContext) => Promise<TurnOutcome>;
  log: Logger;
}

/**
 * `POST /api/messages`: the body is read as text and parsed here (400 when it is not JSON),
 * checked for the fields botbuilder needs (400), then handed to `CloudAdapter.process`, which
 * authenticates it (401) and runs the turn. 200 only once every message in it is stored; 503
 * when storing failed, so the channel delivers it again.
 */
export function registerMessagesRoute(app: FastifyInstance, d: MessagesRouteDeps): void {
  void app.register(async (scope) => {
    // Scoped to this route: the raw text, so a broken body is our 400, not a parser error page.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scope.post('/api/messages', async (req, reply) => {
      let body: unknown;
      try {
        body = parseJsonBody(typeof req.body === 'string' ? req.body : '');
      } catch (err) {
        return reply.code(400).send({ error: (err as Error).message });
      }
      const check = checkActivity(body);
      if (!check.ok) {
        d.log.info({ issues: check.issues.length }, 'Bot Framework activity refused: missing fields');
        return reply.code(400).send({ error: 'not a usable Bot Framework activity', issues: check.issues });
      }

      // Unauthenticated, Haven would post replies to whatever serviceUrl a request names: in
      // emulator mode only a serviceUrl on this machine (the Emulator's) is accepted.
      if (d.emulatorMode && !isLoopbackUrl((body as { serviceUrl: string }).serviceUrl)) {
        d.log.warn('Bot Framework request refused: emulator mode accepts only a local serviceUrl');
        return reply
          .code(403)
          .send({ error: 'MicrosoftAppId is not set: only a local Bot Framework Emulator may connect' });
      }

      const res = new BufferedResponse();
      let notStored: unknown;
      let outcome: TurnOutcome | undefined;
      const request: Request = { body: body as Record<string, unknown>, headers: req.headers, method: 'POST' };
      try {
        await d.cloud.process(request, res, async (context) => {
          try {
            outcome = await d.turn(context);
          } catch (err) {
            notStored = err;
          }
        });
      } catch (err) {
        d.log.error({ err: errorFields(err) }, 'Bot Framework turn failed');
        return reply.code(500).send({ error: 'internal error' });
      }
      const type = (body as { type: string }).type;
      if (notStored) {
        d.log.error({ err: errorFields(notStored), type }, 'Bot Framework message not stored');
        return reply.code(503).header('retry-after', '2').send({ error: 'busy, try again' });
      }
      if (res.statusCode === 401) d.log.warn({ type }, 'Bot Framework request refused: not authenticated');
      else d.log.debug({ type, handled: outcome?.handled ?? 0, status: res.statusCode }, 'Bot Framework activity');
      reply.code(res.statusCode);
      for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
      if (res.body === undefined || res.body === null) return reply.send();
      return reply.send(typeof res.body === 'string' ? { error: res.body } : res.body);
    });
  });
}

/** True for http(s) URLs on this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}
