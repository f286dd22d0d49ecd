import { RetentionSweep } from '../../src/domain/privacy/retention';
import { captureLogger, startTestHaven } from '../support/haven';
import { startConversation } from '../support/conversation';

/**
 * Retention by category: what a young person writes and where they are up to is kept with the
 * category's TTL, closed requests for REQUEST_RETENTION_DAYS, and safeguarding records are never
 * swept. Time is moved on by expiring keys as Redis would when their TTL runs out.
 */
describe('retention', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('retention', { STATE_TTL_DAYS: '30', REQUEST_RETENTION_DAYS: '90' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('writes every category with its TTL, and the sweep keeps safeguarding records and logs counts only', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Ash', consentBy: 'Parent', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode}`);
    await chat.send('i want to kill myself');
    const day = 24 * 3600;

    // Conversation state and the encrypted address: 30 days after last contact.
    const stateTtl = await haven.redis.ttl(haven.keys.state(chat.conversationId));
    expect(stateTtl).toBeGreaterThan(30 * day - 60);
    expect(stateTtl).toBeLessThanOrEqual(30 * day);
    expect(await haven.redis.ttl(haven.keys.address(chat.conversationId))).toBeGreaterThan(30 * day - 60);

    // A closed request: 90 days after closing.
    const { request } = await haven.requests.create({
      memberId,
      memberName: 'Ash',
      conversationId: chat.conversationId,
      platform: 'zoom',
      when: 'after school',
      workers: 'one',
    });
    await haven.requests.close(request.id, 'done', 'test');
    const reqTtl = await haven.redis.ttl(haven.keys.custom('req', request.id));
    expect(reqTtl).toBeGreaterThan(90 * day - 60);
    expect(reqTtl).toBeLessThanOrEqual(90 * day);

    // The safeguarding record has no TTL: policy, not the sweep, decides.
    const [alert] = await haven.alerts.store.list();
    expect(await haven.redis.ttl(haven.keys.custom('alert', alert!.id))).toBe(-1);

    // Time passes: the state and the closed request expire, as Redis does when their TTL ends.
    await haven.redis.del(haven.keys.state(chat.conversationId), haven.keys.custom('req', request.id));
    const { logger, lines } = captureLogger('info');
    const sweep = new RetentionSweep({
      redis: haven.redis,
      keys: haven.keys,
      requests: haven.requests.store,
      members: haven.members,
      alerts: haven.alerts.store,
      log: logger,
    });
    const counts = await sweep.run();
    expect(counts).toMatchObject({
      conversations: 0,
      requestsExpired: 1,
      requestsClosed: 0,
      alertsKept: 1,
      alertsOpen: 1,
      members: 1,
    });
    expect(await haven.alerts.store.get(alert!.id)).not.toBeNull();
    // The log line carries counts, not content.
    const line = lines.find((l) => l.includes('retention sweep'));
    expect(line).toBeDefined();
    expect(line).not.toContain('kill');
    expect(line).not.toContain('Ash');
  });

  it('is scheduled on the tasks queue', async () => {
    const schedulers = await haven.queues.tasks.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('retention-sweep');
  });
});
