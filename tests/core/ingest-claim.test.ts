import { randomUUID } from 'node:crypto';
import { startTestHaven } from '../support/haven';
import { startConversation } from '../support/conversation';

/**
 * A platform's retry that arrives while an earlier attempt at the same message still holds its
 * claim. The earlier attempt may store it (the retry is a duplicate) or may have failed (Redis went
 * away before the message was queued, and letting go of the claim failed too). The retry is
 * answered "stored" only once it is: otherwise the platform never sends the message again, and it
 * reaches nobody. (Seen under load: a message refused with 503 mid-outage, retried within two
 * seconds, answered 202 as a duplicate of an attempt that had failed, and never answered.)
 */
describe('ingest: a retry while an earlier attempt holds the message', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('ingest-claim');
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  const dedupeKeyOf = (clientKey: string, id: string) =>
    haven.keys.dedupe('webchat', haven.vault.messageKey('webchat', `${clientKey}:${id}`));

  it('is taken over and answered when the earlier attempt failed and left its claim behind', async () => {
    const chat = await startConversation(haven);
    const id = randomUUID();
    // What a failed attempt leaves: its pending claim, made just now.
    await haven.redis.set(dedupeKeyOf(chat.clientKey, id), `${randomUUID()}@${Date.now()}`, 'EX', 60);
    const res = await chat.post('hi', { id });
    expect(res.status).toBe(202);
    // Stored for real: the greeting comes, once.
    await chat.expectReply(/Haven/);
    await chat.expectNoMoreReplies();
    expect(await haven.redis.get(dedupeKeyOf(chat.clientKey, id))).toBe('1');
  });

  it('is folded as a duplicate once the earlier attempt stores the message', async () => {
    const chat = await startConversation(haven);
    const id = randomUUID();
    const key = dedupeKeyOf(chat.clientKey, id);
    // A claim too young to take over within the wait, whatever the machine's speed.
    await haven.redis.set(key, `${randomUUID()}@${Date.now() + 60_000}`, 'EX', 60);
    const answered = chat.post('hi', { id });
    // The earlier attempt finishes (here, as if it had: the key says stored) while the retry waits.
    await new Promise((r) => setTimeout(r, 200));
    await haven.redis.set(key, '1', 'EX', 3600);
    expect((await answered).status).toBe(202);
    // Folded: nothing was queued for it (the earlier attempt's own job would answer it).
    await chat.expectNoMoreReplies();
  });

  it('is refused with 503 (try again) when the claim can be neither folded nor taken over', async () => {
    const chat = await startConversation(haven);
    const id = randomUUID();
    // A claim that will not be old enough to take over within the wait (its clock says "later").
    await haven.redis.set(dedupeKeyOf(chat.clientKey, id), `${randomUUID()}@${Date.now() + 60_000}`, 'EX', 60);
    const res = await chat.post('hi', { id });
    expect(res.status).toBe(503);
    await chat.expectNoMoreReplies();
  });
});

/**
 * A queued message is marked stored by a script sent right behind its job's add on the queue's own
 * connection (one round trip for both), which marks it only if the job is there: never when the add
 * failed, and, should it run before the add, not then either, and the message is marked after it.
 */
describe('ingest: the stored mark behind the job', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('ingest-mark');
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  const message = () => {
    const clientId = randomUUID();
    return {
      channel: 'webchat' as const,
      messageId: `mark-${randomUUID()}`,
      senderId: clientId,
      kind: 'text' as const,
      text: 'hi',
      sentAt: Date.now(),
      address: { k: clientId },
    };
  };
  const dedupeKeyOf = (m: ReturnType<typeof message>) =>
    haven.keys.dedupe('webchat', haven.vault.messageKey('webchat', m.messageId));
  /** Keys the commands connection was asked to SET while `run` ran. */
  async function plainSets(run: () => Promise<unknown>): Promise<string[]> {
    const set = haven.redis.set.bind(haven.redis);
    const keys: string[] = [];
    haven.redis.set = ((key: string, ...rest: unknown[]) => {
      keys.push(key);
      return (set as (...a: unknown[]) => unknown)(key, ...rest);
    }) as typeof haven.redis.set;
    try {
      await run();
    } finally {
      haven.redis.set = set;
    }
    return keys;
  }

  it('marks a queued message stored behind its add, with no command after it', async () => {
    const m = message();
    const sets = await plainSets(async () => {
      await expect(haven.ingest.accept(m)).resolves.toMatchObject({ outcome: 'queued' });
    });
    expect(await haven.redis.get(dedupeKeyOf(m))).toBe('1');
    expect(sets).not.toContain(dedupeKeyOf(m));
    await expect(haven.ingest.accept(m)).resolves.toMatchObject({ outcome: 'duplicate' });
  });

  it('does not mark a message whose add failed, so its retry is queued', async () => {
    const inbound = haven.queues.inbound;
    const add = inbound.add.bind(inbound);
    inbound.add = (async () => {
      throw new Error('simulated add failure');
    }) as typeof inbound.add;
    const m = message();
    try {
      await expect(haven.ingest.accept(m)).rejects.toThrow(/simulated/);
      expect(await haven.redis.get(dedupeKeyOf(m))).toBeNull();
    } finally {
      inbound.add = add;
    }
    await expect(haven.ingest.accept(m)).resolves.toMatchObject({ outcome: 'queued' });
    expect(await haven.redis.get(dedupeKeyOf(m))).toBe('1');
  });

  it('marks the message after the add when the mark went first and found no job', async () => {
    const inbound = haven.queues.inbound;
    const add = inbound.add.bind(inbound);
    // The add is sent later than the mark (as it could be while its connection gets ready).
    inbound.add = (async (...args: Parameters<typeof add>) => {
      await new Promise((r) => setTimeout(r, 50));
      return add(...args);
    }) as typeof inbound.add;
    const m = message();
    const sets = await plainSets(async () => {
      await expect(haven.ingest.accept(m)).resolves.toMatchObject({ outcome: 'queued' });
    }).finally(() => {
      inbound.add = add;
    });
    expect(sets).toContain(dedupeKeyOf(m));
    expect(await haven.redis.get(dedupeKeyOf(m))).toBe('1');
  });
});
