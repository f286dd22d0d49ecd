import { UnrecoverableError, type Job } from 'bullmq';
import { routeJobs } from '../../src/engine/queues';

interface Jobs {
  deliver: { alertId: string };
  send: { text: string };
}

const job = <T>(name: string, data: T) => ({ name, data }) as unknown as Job<T>;

describe('typed job routers', () => {
  it('hands each job to the handler for its name, with its own data', async () => {
    const seen: string[] = [];
    const route = routeJobs<Jobs>('alerts', {
      deliver: async (data) => void seen.push(`deliver ${data.alertId}`),
      send: async (data) => void seen.push(`send ${data.text}`),
    });
    await route(job('deliver', { alertId: 'a1' }) as Job<Jobs[keyof Jobs]>);
    await route(job('send', { text: 'hi' }) as Job<Jobs[keyof Jobs]>);
    expect(seen).toEqual(['deliver a1', 'send hi']);
  });

  it('fails a job nobody handles at once, without retries', async () => {
    const route = routeJobs<Jobs>('alerts', { deliver: async () => undefined, send: async () => undefined });
    const err = await route(job('toString', {}) as Job<Jobs[keyof Jobs]>).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('no handler for job "toString" on the alerts queue');
  });
});
