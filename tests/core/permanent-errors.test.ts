import { COORDINATOR_TASK } from '../../src/domain/requests';
import { jobId } from '../../src/engine/queues';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { startConversation } from '../support/conversation';

/**
 * A webhook that answers 404 or 410 is wrong or gone: its job fails at once (BullMQ
 * UnrecoverableError) rather than being retried for 45 minutes, and the failure is on the record.
 * A 500 is still retried (tests/core/alerts.test.ts).
 */
describe('permanent webhook failures', () => {
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;

  beforeAll(async () => {
    hook = await startStub();
    hook.respond((req, res) => res.writeHead(req.url === '/alerts' ? 404 : 410).end('{}'));
    haven = await startTestHaven('permanent', {
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      COORDINATOR_WEBHOOK_URL: `${hook.url}/coordinator`,
    });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  it('an alert webhook answering 404 fails the delivery once, recorded on the alert; escalation still runs', async () => {
    const text = 'my stepdad hits me every night and i have bruises';
    const young = await startConversation(haven);
    await young.send(text);
    await young.waitForReply(/0800 1111/);
    const alert = await waitFor(
      async () => (await haven.alerts.store.list({ openOnly: true })).find((a) => a.text === text),
      10_000,
      'the alert',
    );
    const job = await waitFor(
      async () => {
        const j = await haven.queues.alerts.getJob(jobId('alert', alert.id, '0'));
        return j && (await j.getState()) === 'failed' ? j : undefined;
      },
      15_000,
      'the delivery job to fail',
    );
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('alert webhook answered 404');
    expect(hook.requests.filter((r) => r.url === '/alerts')).toHaveLength(1);
    const history = await haven.alerts.store.history(alert.id);
    expect(history).toContainEqual(
      expect.objectContaining({
        event: 'delivery_failed',
        detail: 'not delivered to the alert webhook: alert webhook answered 404',
      }),
    );
    // The next level is scheduled before the failure, so nobody acknowledging still escalates.
    expect(await haven.queues.alerts.getJob(jobId('alert', alert.id, '1'))).toBeDefined();
    await haven.alerts.acknowledge(alert.id, 'test');
  });

  it('a coordinator webhook answering 410 fails its task once, not retried', async () => {
    const job = await haven.queues.tasks.add(COORDINATOR_TASK, {
      kind: 'data_deleted',
      memberName: 'Sam',
      at: Date.now(),
    });
    await waitFor(async () => (await job.getState()) === 'failed', 15_000, 'the task to fail');
    const failed = await haven.queues.tasks.getJob(job.id as string);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toBe('coordinator webhook answered 410');
    expect(hook.requests.filter((r) => r.url === '/coordinator')).toHaveLength(1);
  });
});
