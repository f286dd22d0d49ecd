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

  it('writes the web chat backlog, message ids, last contact, join codes and failed jobs with their TTLs', async () => {
    const hour = 3600;
    const day = 24 * hour;
    /** TTLs of every key matching a pattern under this Haven's prefix (at least one must match). */
    const ttls = async (pattern: string): Promise<number[]> => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await haven.redis.scan(cursor, 'MATCH', `${haven.prefix}:${pattern}`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      expect(keys.length).toBeGreaterThan(0);
      return Promise.all(keys.map((k) => haven.redis.ttl(k)));
    };
    /** Every TTL within a minute below `seconds` (a key without one reads -1 and fails). */
    const within = (values: number[], seconds: number) => {
      for (const v of values) {
        expect(v).toBeGreaterThan(seconds - 60);
        expect(v).toBeLessThanOrEqual(seconds);
      }
    };

    const { memberId, joinCode } = await haven.members.add({ name: 'Bo', consentBy: 'Parent', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send('join ZZZZ-ZZZZ');
    await chat.expectReply(/don't know that code/);
    // A wrong code is counted against this conversation for an hour.
    within([await haven.redis.ttl(haven.keys.custom('joinfail', chat.conversationId))], hour);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/Welcome, Bo/);

    // The web chat's reply backlog: a day.
    within([await haven.redis.ttl(haven.keys.webchatOutbox(chat.clientKey))], day);
    // Message ids taken in (dedupe) and handled, and when they last wrote: DEDUPE_TTL_HOURS (168).
    // Their keys hold the message id's keyed hash, never the platform's id.
    within(await ttls('dedupe:webchat:*'), 168 * hour);
    within(await ttls('handled:webchat:*'), 168 * hour);
    within([await haven.redis.ttl(haven.keys.lastInbound(chat.conversationId))], 168 * hour);
    // Join codes: the code (and its index) until it expires plus 30 days' grace, its "used" mark
    // for the 30 days.
    within(await ttls(`membercode:${memberId}`), 44 * day);
    within(await ttls('joincode:*'), 44 * day);
    within(await ttls('joinused:*'), 30 * day);

    // A job that fails for good is kept a day for an admin to see, then BullMQ removes it by age.
    await haven.redis.del(haven.keys.address(chat.conversationId));
    const failed = await chat.notify({ text: 'nobody can receive this' });
    expect(failed).toEqual([]);
    const [job] = (await haven.queues.outbound.getFailed()).filter((j) =>
      JSON.stringify(j.data).includes(chat.conversationId),
    );
    expect(job?.opts.removeOnFail).toEqual({ age: day });
  });

  it('is scheduled on the tasks queue', async () => {
    const schedulers = await haven.queues.tasks.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('retention-sweep');
  });
});
