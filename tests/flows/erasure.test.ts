import { jobId } from '../../src/engine/queues';
import { runCli } from '../support/cli';
import { startConversation } from '../support/conversation';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { memberWithBookedSession, type MemberWithSession } from '../support/members';
import { makeStaff } from '../staff/client';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

// The CLI tests start a TypeScript process each: slow on a busy machine (a guard, not a claim).
jest.setTimeout(120_000);

/**
 * Erasure from every place it can start: a young person's "delete my data" (a stranger's, and a
 * member's linked on more than one channel), the staff dashboard's remove, `haven members remove`;
 * and `haven alerts export`, which keeps the safeguarding records erasure leaves.
 */
describe('erasure and the alerts export', () => {
  let haven: TestHaven;
  let hook: StubServer;
  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('erasure', { COORDINATOR_WEBHOOK_URL: `${hook.url}/hook` });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  /** A member joined on the web chat with a booked session (two reminders), plus one more channel link. */
  async function memberWithSession(name: string): Promise<MemberWithSession & { other: string }> {
    const member = await memberWithBookedSession(haven, name);
    // The same young person joins on Messenger too, with a new code.
    const other = haven.vault.conversationId('messenger', `psid-${name}-${Date.now()}`);
    const code = await haven.members.issueCode(member.memberId);
    expect(await haven.members.redeem(code, other)).toMatchObject({ outcome: 'linked' });
    await haven.redis.set(haven.keys.state(other), JSON.stringify({ note: 'state of the Messenger chat' }));
    expect((await haven.members.get(member.memberId))?.links).toHaveLength(2);
    return { ...member, other };
  }

  /** Nothing of the member's left but (when `keepRecord`) their name and consent. */
  async function expectForgotten(m: MemberWithSession & { other: string }, keepRecord: boolean) {
    for (const conversation of [m.chat.conversationId, m.other]) {
      expect(await haven.members.forConversation(conversation)).toBeNull();
    }
    expect(await haven.redis.exists(haven.keys.state(m.other))).toBe(0);
    expect(await haven.requests.get(m.requestId)).toBeNull();
    expect(await haven.requests.openRequestFor(m.memberId)).toBeNull();
    for (const offset of haven.config.REMINDER_OFFSETS_MINUTES)
      expect(await haven.queues.tasks.getJob(jobId('reminder', m.requestId, String(offset)))).toBeUndefined();
    const left = await haven.members.get(m.memberId);
    if (keepRecord) expect(left).toMatchObject({ links: [] });
    else expect(left).toBeNull();
  }

  it('"delete my data" from someone who is not a member deletes where they were, and says only that', async () => {
    const chat = await startConversation(haven);
    await chat.send('hi');
    await chat.expectReply(/Haven/);
    const hooksBefore = hook.requests.length;
    await chat.send('delete my data');
    await chat.expectReply(/delete your data\?/);
    await chat.tap('Yes, delete it');
    const done = await chat.expectReply(
      /^Done\. I've deleted your messages with our youth workers and where we were in our chat\./,
    );
    // Nothing claimed that did not happen: no requests, no link, no youth worker told.
    expect(done.text).not.toMatch(/one-to-one|told our youth workers|members list/);
    expect(done.text).toMatch(/keeps a note/);
    await chat.expectNoMoreReplies({ only: ['inbound', 'outbound', 'tasks'] });
    expect(hook.requests.slice(hooksBefore).map((r) => (r.json as { type: string }).type)).not.toContain(
      'member_data_deleted',
    );
    // Where they were is gone: the next message starts afresh.
    expect((await chat.state())?.flow).toBeUndefined();
  });

  it('"delete my data" from a member linked on two channels removes both links and both chats\' state', async () => {
    const m = await memberWithSession('Ife');
    await m.chat.send('delete my data');
    await m.chat.expectReply(/delete your data\?/);
    await m.chat.tap('Yes, delete it');
    await m.chat.expectReply(
      /deleted your one-to-one requests, your messages with our youth workers, your link to this chat/,
    );
    await expectForgotten(m, true);
    await waitFor(
      () =>
        hook.requests.find(
          (r) => (r.json as { type: string; text?: string }).type === 'member_data_deleted' && /Ife/.test(r.body),
        ),
      30_000,
      'staff told of the deletion',
    );
  });

  it('removing a member on the staff dashboard erases them, and keeps their safeguarding records', async () => {
    const m = await memberWithSession('Kai');
    await m.chat.send('my stepdad hits me');
    await m.chat.expectReply(/0800 1111/);
    const alert = (await haven.alerts.store.list()).find((a) => a.memberId === m.memberId);
    expect(alert).toBeDefined();

    const { client } = await makeStaff(haven, 'coordinator');
    const csrf = await client.csrf('/staff/members');
    // Without the confirmation tick: refused, nothing removed.
    expect((await client.post(`/staff/members/${m.memberId}/remove`, { _csrf: csrf })).status).toBe(400);
    expect(await haven.members.get(m.memberId)).not.toBeNull();
    const res = await client.post(`/staff/members/${m.memberId}/remove`, { _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/staff/members');
    await expectForgotten(m, false);
    expect(await haven.alerts.store.get(alert!.id)).toMatchObject({ memberId: m.memberId, text: 'my stepdad hits me' });
    // The linked chats are strangers now.
    await m.chat.send('one to one');
    await m.chat.expectReply(/you need to join first/);
    await haven.alerts.acknowledge(alert!.id, 'test');
  });

  it('`haven members remove --id` erases a member and says what it removed', async () => {
    const m = await memberWithSession('Lou');
    const out = await runCli(['members', 'remove', '--id', m.memberId], haven.prefix);
    expect([out.code, out.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'))]).toEqual([0, []]);
    expect(JSON.parse(out.stdout.trim())).toEqual({
      memberId: m.memberId,
      removed: true,
      links: 2,
      requests: 1,
      groupPlaces: 0,
    });
    await expectForgotten(m, false);
    // Again: there is no such member now.
    const again = await runCli(['members', 'remove', '--id', m.memberId], haven.prefix);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`No member with id ${m.memberId}`);
  });

  it('`haven alerts export` prints every alert with its full record and history, one JSON line each', async () => {
    const chat = await startConversation(haven);
    await chat.send('i want to kill myself');
    await chat.expectReply(/0800 1111/);
    const all = await haven.alerts.store.list();
    const mine = all.find((a) => a.conversationId === chat.conversationId)!;
    await haven.alerts.acknowledge(mine.id, 'Test lead');

    const out = await runCli(['alerts', 'export'], haven.prefix);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').filter(Boolean);
    const exported = lines.map(
      (l) => JSON.parse(l) as { id: string; text: string; status: string; history: { event: string }[] },
    );
    expect(exported.map((a) => a.id).sort()).toEqual(all.map((a) => a.id).sort());
    const line = exported.find((a) => a.id === mine.id);
    expect(line).toMatchObject({
      text: 'i want to kill myself',
      category: 'suicide',
      status: 'acknowledged',
      code: mine.code,
    });
    expect(line!.history.map((e) => e.event)).toEqual(expect.arrayContaining(['raised', 'acknowledged']));
    expect(line!.history[0]!.event).toBe('raised');
    // The alert of a member since removed is still exported.
    expect(exported.some((a) => a.text === 'my stepdad hits me')).toBe(true);
  });
});
