import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { requestLogger } from '../../src/http/request-logger';
import { captureLogger } from '../support/util';

describe("a request's logger is made on first use", () => {
  it('logs with the request id and the redaction, and makes no child for a request that logs nothing', async () => {
    const { logger, lines } = captureLogger('info');
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: requestLogger,
    });
    app.get('/quiet', async () => 'ok');
    app.get('/loud', async (req) => {
      req.log.info({ text: 'what a young person wrote', step: 1 }, 'handled');
      req.log.debug('below the level');
      return req.log.level;
    });
    await app.ready();
    // Fastify's own children (made while it starts) are not the requests'.
    const child = jest.spyOn(logger, 'child');
    try {
      expect((await app.inject({ url: '/quiet' })).body).toBe('ok');
      expect(child).not.toHaveBeenCalled();
      const loud = await app.inject({ url: '/loud' });
      expect(loud.body).toBe('info');
      expect(child).toHaveBeenCalledTimes(1);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged).toEqual([
        expect.objectContaining({ msg: 'handled', step: 1, text: '[redacted]', reqId: expect.any(String) }),
      ]);
    } finally {
      await app.close();
    }
  });
});
