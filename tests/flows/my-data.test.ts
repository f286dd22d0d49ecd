import { jobId } from '../../src/engine/queues';
import { startConversation } from '../support/conversation';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';

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
    const { memberId, joinCode } = await haven.members.add({ name: 'Nia', consentBy: 'Ola', addedBy: 't' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/Welcome, Nia/);
    const { request } = await haven.requests.create({
      memberId,
      memberName: 'Nia',
      conversationId: chat.conversationId,
      platform: 'phone',
      when: 'Saturday',
      workers: 'no_preference',
    });
    await haven.requests.schedule(
      request.id,
      { at: new Date(Date.now() + 3 * 86400_000), place: "we'll ring you", workers: ['Ana'] },
      'Ana',
    );
    await chat.expectReply(/booked/);

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
    expect(await haven.requests.get(request.id)).toBeNull();
    expect(await haven.requests.openRequestFor(memberId)).toBeNull();
    for (const o of [1440, 15])
      expect(await haven.queues.tasks.getJob(jobId('reminder', request.id, String(o)))).toBeUndefined();
    const staff = await waitFor(() =>
      hook.requests.find((r) => (r.json as { type: string }).type === 'member_data_deleted'),
    );
    expect((staff.json as { text: string }).text).toMatch(/Nia/);

    // Nothing left that links this chat to a one-to-one.
    await chat.send('one to one');
    await chat.expectReply(/you need to join first/);
  });
});
