import { errorFields } from '../../common/errors';
import type { FastifyInstance } from 'fastify';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { Logger } from '../../common/logger';
import { checkActivity } from './activity';
import type { TurnOutcome } from './inbound';
import { parseJsonBody } from '../../http/json';

/**
 * botbuilder's authentication and turn for one activity (CloudAdapter's processActivity): throws
 * when the request is not authenticated. Called directly rather than through `CloudAdapter.process`,
 * which prints every refused request's stack trace to the console and answers 500 with the error's text.
 */
export type ProcessActivity = (
  authHeader: string,
  activity: Activity,
  logic: (context: TurnContext) => Promise<void>,
) => Promise<InvokeResponse | undefined>;

/** What the route needs: botbuilder's adapter and the turn logic. */
export interface MessagesRouteDeps {
  /** No app id: unauthenticated, so only a local Emulator's serviceUrl is accepted. */
  emulatorMode: boolean;
  process: ProcessActivity;
  turn: (context: TurnContext) => Promise<TurnOutcome>;
  log: Logger;
}

/**
 * `POST /api/messages`: the body is read as text and parsed here (400 when it is not JSON),
 * checked for the fields botbuilder needs (400), then handed to botbuilder, which authenticates
 * it (401) and runs the turn. 200 only once every message in it is stored; 503
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

      let notStored: unknown;
      let outcome: TurnOutcome | undefined;
      let turnStarted = false;
      const type = (body as { type: string }).type;
      const auth = req.headers.authorization ?? '';
      let invoke: InvokeResponse | undefined;
      try {
        invoke = await d.process(auth, body as Activity, async (context) => {
          turnStarted = true;
          try {
            outcome = await d.turn(context);
          } catch (err) {
            notStored = err;
          }
        });
      } catch (err) {
        if (!turnStarted) {
          // Not authenticated (no or a bad token, or its signing keys could not be read): a plain
          // 401 and one log line, with nothing of botbuilder's internals.
          d.log.warn(
            { type, reason: (err as Error).name || 'Error' },
            'Bot Framework request refused: not authenticated',
          );
          return reply.code(401).send({ error: 'unauthorized' });
        }
        d.log.error({ err: errorFields(err) }, 'Bot Framework turn failed');
        return reply.code(500).send({ error: 'internal error' });
      }
      if (notStored) {
        d.log.error({ err: errorFields(notStored), type }, 'Bot Framework message not stored');
        return reply.code(503).header('retry-after', '2').send({ error: 'busy, try again' });
      }
      d.log.debug({ type, handled: outcome?.handled ?? 0, status: invoke?.status ?? 200 }, 'Bot Framework activity');
      reply.code(invoke?.status ?? 200);
      if (invoke?.body === undefined || invoke.body === null) return reply.send();
      return reply.send(invoke.body);
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
