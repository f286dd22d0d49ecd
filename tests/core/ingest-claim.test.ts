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
