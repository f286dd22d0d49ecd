import { jobId } from '../../src/engine/queues';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { memberWithBookedSession } from '../support/members';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

describe('what Haven holds, and deleting it', () => {
  let haven: TestHaven;
  let hook: StubServer;
  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('mydata', { COORDINATOR_WEBHOOK_URL: `${hook.url}/hook` });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  it('tells a member what it holds, then deletes requests, reminders and links after a yes, tells staff, and is honest about safeguarding records', async () => {
    const { memberId, chat, requestId } = await memberWithBookedSession(haven, 'Nia');

    await chat.send('What do you know about me?');
    const told = await chat.expectReply(/what I have about you/);
    expect(told.text).toMatch(/Nia/);
    expect(told.text).toMatch(/one-to-one/);

    await chat.send('delete my data');
    await chat.expectReply(/delete your data\?/);
    await chat.tap('No, keep it');
    await chat.expectReply(/haven't deleted anything/);
    expect(await haven.members.forConversation(chat.conversationId)).not.toBeNull();

    await chat.send('delete my data');
    await chat.expectReply(/delete your data\?/);
    await chat.tap('Yes, delete it');
    const done = await chat.expectReply(/deleted/);
    expect(done.text).toMatch(/a youth worker keeps a note of it to help keep you safe/);
    expect(await haven.members.forConversation(chat.conversationId)).toBeNull();
    expect(await haven.requests.get(requestId)).toBeNull();
    expect(await haven.requests.openRequestFor(memberId)).toBeNull();
    for (const o of [1440, 15])
      expect(await haven.queues.tasks.getJob(jobId('reminder', requestId, String(o)))).toBeUndefined();
    const staff = await waitFor(
      () => hook.requests.find((r) => (r.json as { type: string }).type === 'member_data_deleted'),
      30_000,
      'staff told of the deletion',
    );
    expect((staff.json as { text: string }).text).toMatch(/Nia/);

    // Nothing left that links this chat to a one-to-one.
    await chat.send('one to one');
    await chat.expectReply(/you need to join first/);
  });
});
