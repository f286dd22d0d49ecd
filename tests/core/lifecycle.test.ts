import { createStop, runEveryStep, ShutdownError } from '../../src/compose/lifecycle';
import { captureLogger } from '../support/util';

describe('shutdown runs every step', () => {
  it('goes on past a step that throws and reports every failure', async () => {
    const ran: string[] = [];
    const failures = await runEveryStep([
      { name: 'stop channel messenger', run: () => void ran.push('messenger') },
      {
        name: 'stop channel whatsapp',
        run: async () => {
          ran.push('whatsapp');
          throw new Error('browser gone');
        },
      },
      {
        name: 'close the HTTP server',
        run: () => {
          ran.push('http');
          throw new Error('already closed');
        },
      },
      { name: 'close the Redis connections', run: async () => void ran.push('redis') },
    ]);
    expect(ran).toEqual(['messenger', 'whatsapp', 'http', 'redis']);
    expect(failures.map((f) => [f.step, f.error.message])).toEqual([
      ['stop channel whatsapp', 'browser gone'],
      ['close the HTTP server', 'already closed'],
    ]);
  });

  it('stop() runs all steps, logs each failure, then rejects naming them; a second stop() is the same', async () => {
    const { logger, lines } = captureLogger();
    const ran: string[] = [];
    const stop = createStop({
      graceful: [
        {
          name: 'close the inbound worker',
          run: () => {
            ran.push('inbound');
            throw new Error('lost connection');
          },
        },
        { name: 'close the queues', run: () => void ran.push('queues') },
      ],
      force: [{ name: 'never', run: () => void ran.push('force') }],
      graceMs: 60_000,
      log: logger,
    });
    const first = stop();
    await expect(first).rejects.toThrow(ShutdownError);
    await expect(first).rejects.toThrow(/close the inbound worker \(lost connection\)/);
    expect(stop()).toBe(first);
    expect(ran).toEqual(['inbound', 'queues']);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; step?: string });
    const failed = logged.filter((l) => l.msg === 'shutdown step failed');
    expect(failed).toEqual([expect.objectContaining({ step: 'close the inbound worker' })]);
    expect(logged.some((l) => l.msg === 'Haven stopped')).toBe(true);
  });

  it('closes everything hard when the orderly steps overrun the grace period', async () => {
    const { logger } = captureLogger();
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const stop = createStop({
      // A step stuck for ever (a connection waiting on a Redis that is gone).
      graceful: [{ name: 'quit redis', run: () => new Promise<void>((r) => (release = r)) }],
      force: [
        {
          name: 'drop HTTP connections',
          run: () => {
            ran.push('http');
            throw new Error('no server');
          },
        },
        { name: 'drop the Redis connections', run: () => void ran.push('redis') },
      ],
      graceMs: 10,
      log: logger,
    });
    await expect(stop()).rejects.toThrow(/drop HTTP connections/);
    expect(ran).toEqual(['http', 'redis']);
    release();
  });
});
