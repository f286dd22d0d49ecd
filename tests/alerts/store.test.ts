import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Keys } from '../../src/engine/keys';
import { MemberStore } from '../../src/domain/members';
import { AlertLinkChangingError, AlertStore, CREATE_RUNS, type Alert } from '../../src/domain/alerts/store';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/haven';
import { flappingBeforeEachScript } from '../support/redis';

/**
 * The alert store's creation of an alert: once per message, a code no other alert has, and the
 * conversation's member as its link holds them when the alert is written, even when the link was
 * read to hold someone else (the script that writes it declares the member's record, so it needs
 * the link read first, and checks it still holds the same member).
 */
describe('AlertStore.create', () => {
  const prefix = uniquePrefix('alert-store');
  const keys = new Keys(prefix);
  let redis: Redis;
  let alerts: AlertStore;
  let members: MemberStore;

  const input = (conversationId: string, extra: Partial<Alert> = {}) => ({
    category: 'self_harm' as const,
    severity: 'high' as const,
    matched: ['self_harm.cutting'],
    text: 'alert store test',
    channel: 'webchat' as const,
    conversationId,
    ...extra,
  });
  const member = async (name: string) => (await members.add({ name, consentBy: 'Lee', addedBy: 't' })).memberId;
  const codesTaken = async () => (await redis.keys(keys.custom('alertcode', '*'))).length;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    alerts = new AlertStore(redis, keys, 'a secret');
    members = new MemberStore(redis, keys, { hashSecret: 'test-secret-0123456789', joinCodeTtlDays: 14 });
  });
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  it('names the member the link holds when the alert is written, not one it held when read', async () => {
    const ana = await member('Ana');
    const ben = await member('Ben');
    const chat = `webchat.${randomUUID()}`;
    await members.link(chat, ben);
    // Read while it held Ana; relinked to Ben before the alert was written.
    const { alert, created } = await alerts.create(input(chat), `webchat:${randomUUID()}`, ana);
    expect(created).toBe(true);
    expect(alert).toMatchObject({ memberId: ben, memberName: 'Ben' });
    expect(await alerts.get(alert.id)).toMatchObject({ memberId: ben, memberName: 'Ben', code: alert.code });

    // Read as unlinked; linked since.
    const linked = await alerts.create(input(chat), `webchat:${randomUUID()}`, null);
    expect(linked.alert).toMatchObject({ memberId: ben, memberName: 'Ben' });
    // Read while it held Ben; unlinked since.
    await members.unlink(chat);
    const unlinked = await alerts.create(input(chat), `webchat:${randomUUID()}`, ben);
    expect(unlinked.alert.memberId).toBeUndefined();
    expect((await alerts.get(unlinked.alert.id))!.memberName).toBeUndefined();
    // Read here, as the store's own first step, when the caller has not.
    await members.link(chat, ana);
    expect((await alerts.create(input(chat))).alert).toMatchObject({ memberId: ana, memberName: 'Ana' });
    // An alert that names its member already is not given the linked one.
    const named = await alerts.create(input(chat, { memberId: ben, memberName: 'Ben' }), undefined, ana);
    expect(named.alert).toMatchObject({ memberId: ben, memberName: 'Ben' });
  });

  it('guesses the link it last saw for a conversation, and a wrong guess still names who the link holds', async () => {
    const ana = await member('Ana');
    const chat = `webchat.${randomUUID()}`;
    await members.link(chat, ana);
    const store = new AlertStore(redis, keys, 'a secret');
    // Never seen here: guessed linked to nobody, which the script finds wrong, and runs again.
    expect(store.guessLinked(chat)).toBeNull();
    const first = await store.create(input(chat), `webchat:${randomUUID()}`, store.guessLinked(chat));
    expect(first.alert).toMatchObject({ memberId: ana, memberName: 'Ana' });
    expect(store.guessLinked(chat)).toBe(ana);
    const second = await store.create(input(chat), `webchat:${randomUUID()}`, store.guessLinked(chat));
    expect(second.alert).toMatchObject({ memberId: ana, memberName: 'Ana' });
    // Unlinked since: the guess is wrong the other way, and the alert names nobody.
    await members.unlink(chat);
    const third = await store.create(input(chat), `webchat:${randomUUID()}`, store.guessLinked(chat));
    expect(third.alert.memberId).toBeUndefined();
    expect((await store.get(third.alert.id))!.memberId).toBeUndefined();
    expect(store.guessLinked(chat)).toBeNull();
  });

  it('writes nothing and fails clearly when the link changes on every run', async () => {
    const ids = [await member('Cy'), await member('Di')];
    const chat = `webchat.${randomUUID()}`;
    const link = members.linkKey(chat);
    await redis.set(link, ids[0]!);
    // Redis knows the script from here on (it is run by its hash).
    await alerts.create(input(chat), `webchat:${randomUUID()}`);
    const taken = await codesTaken();
    // Each time the store runs its script, the conversation is relinked to the other member first.
    const flapping = flappingBeforeEachScript(redis, link, ids);
    const source = `webchat:${randomUUID()}`;
    await expect(new AlertStore(flapping.redis, keys, 'a secret').create(input(chat), source)).rejects.toBeInstanceOf(
      AlertLinkChangingError,
    );
    expect(flapping.runs()).toBe(CREATE_RUNS);
    expect(await alerts.get(alerts.idFor(source))).toBeNull();
    expect(await codesTaken()).toBe(taken);
    // The message's retry, once the link settles, raises it.
    const { alert, created } = await alerts.create(input(chat), source);
    expect(created).toBe(true);
    expect(alert.memberId).toBe(await redis.get(link));
  });

  it('creates one alert per message, however often and however concurrently it comes, each with a code of its own', async () => {
    const ana = await member('Ana');
    const chat = `webchat.${randomUUID()}`;
    await members.link(chat, ana);
    const sources = Array.from({ length: 20 }, () => `webchat:${randomUUID()}`);
    // Each message three times at once (a platform's retries racing the original).
    const results = await Promise.all(sources.flatMap((s) => [0, 1, 2].map(() => alerts.create(input(chat), s))));
    for (const source of sources) {
      const mine = results.filter((r) => r.alert.id === alerts.idFor(source));
      expect(mine).toHaveLength(3);
      expect(mine.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(mine.map((r) => r.alert.code)).size).toBe(1);
      expect(mine.every((r) => r.alert.memberName === 'Ana')).toBe(true);
    }
    const codes = new Set(results.map((r) => r.alert.code));
    expect(codes.size).toBe(sources.length);
    for (const r of results) expect((await alerts.byCode(r.alert.code))?.id).toBe(r.alert.id);
    // Each one `raised` event.
    for (const source of sources) {
      const history = await alerts.history(alerts.idFor(source));
      expect(history.map((e) => e.event)).toEqual(['raised']);
    }
  });
});
