import { startConversation } from '../support/conversation';
import { askForOneToOne, joinedMember } from '../support/members';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

describe('one-to-one request over the web chat', () => {
  let haven: TestHaven;
  let hook: StubServer;

  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('o2o', { COORDINATOR_WEBHOOK_URL: `${hook.url}/coordinator` });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  it('tells a non-member kindly how to join and queues nothing', async () => {
    const chat = await startConversation(haven);
    await chat.send('can I talk to someone');
    const reply = await chat.expectReply(/join/);
    expect(reply.text).toMatch(/form to say yes/);
    expect(reply.text).toMatch(/parent or carer/);
    expect(await haven.requests.list({ status: ['new', 'claimed', 'scheduled', 'done', 'cancelled'] })).toHaveLength(0);
    expect(hook.requests).toHaveLength(0);
  });

  it('a member linked with a join code asks in their own words, answers, and is told their place in the queue', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Sam', consentBy: 'Jo Smith', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode.slice(0, 4).toLowerCase()}-${joinCode.slice(4)}`);
    await chat.expectReply(/Welcome, Sam/);
    expect(await haven.members.forConversation(chat.conversationId)).toEqual({ id: memberId, name: 'Sam' });

    await chat.send('hiya can i chat to Terry pls');
    await chat.expectReply(/How would you like to meet/);
    await chat.tap('Zoom');
    await chat.expectReply(/When suits you/);
    await chat.send('after school on Tuesday');
    await chat.expectReply(/one youth worker or two/);
    await chat.send('2');
    await chat.expectReply(/anything you'd like the youth worker to know/);
    await chat.tap('Skip');
    const confirm = await chat.expectReply(/Shall I send it/);
    expect(confirm.text).toMatch(/Zoom/);
    expect(confirm.text).toMatch(/after school on Tuesday/);
    expect(confirm.text).toMatch(/Terry/);
    // Changing one answer goes back to the summary.
    await chat.tap('Change something');
    await chat.expectReply(/What would you like to change/);
    await chat.tap('When');
    await chat.expectReply(/When suits you/);
    await chat.send('Wednesday after 4');
    const again = await chat.expectReply(/Shall I send it/);
    expect(again.text).toMatch(/Wednesday after 4/);
    expect(again.text).not.toMatch(/after school on Tuesday/);
    await chat.tap('Yes, send it');
    const queued = await chat.expectReply(/sent your request/);
    expect(queued.text).toMatch(/number 1 in the queue/);

    const posted = await waitFor(
      () => hook.requests.find((r) => r.url === '/coordinator'),
      8000,
      'the coordinator webhook',
    );
    const body = posted.json as { type: string; text: string; request: Record<string, unknown> };
    expect(body.type).toBe('one_to_one_request');
    expect(body.text).toMatch(/Sam/);
    expect(body.request).toMatchObject({
      member: 'Sam',
      platform: 'zoom',
      workers: 'two',
      when: 'Wednesday after 4',
      askedFor: 'Terry',
      position: 1,
    });
    expect(posted.body).not.toContain(chat.clientId);

    const open = await haven.requests.openRequestFor(memberId);
    expect(open).toMatchObject({ status: 'new', conversationId: chat.conversationId, platform: 'zoom' });

    // A second request while one is open is not queued twice.
    await chat.send('can i book a one to one');
    await chat.expectReply(/already asked/);
    expect(await haven.requests.list()).toHaveLength(1);

    await chat.send('status');
    await chat.expectReply(/waiting for a youth worker.*number 1/s);

    // Asked first; "no" keeps it.
    await chat.send('cancel');
    await chat.expectReply(/Do you want to cancel your one-to-one request/);
    await chat.tap('No, keep it');
    await chat.expectReply(/haven't cancelled anything/);
    expect((await haven.requests.get(open!.id))?.status).toBe('new');
    await chat.send('cancel');
    await chat.expectReply(/Do you want to cancel/);
    await chat.tap('Yes, cancel it');
    await chat.expectReply(/cancelled your one-to-one/);
    expect(await haven.requests.openRequestFor(memberId)).toBeNull();
    expect((await haven.requests.get(open!.id))?.status).toBe('cancelled');
  });

  it('a question in the middle ("staying safe") is answered, then the question asked again', async () => {
    const { joinCode } = await haven.members.add({ name: 'Ali', consentBy: 'Jo Smith', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/Welcome, Ali/);
    await chat.send('can i tlk 2 sum1');
    await chat.expectReply(/How would you like to meet/);
    await chat.send('wotsapp');
    await chat.expectReply(/When suits you/);
    await chat.send('staying safe');
    await chat.expectReply(/screenshots|record/i);
    await chat.expectReply(/When suits you/);
    await chat.send('saturday morning');
    await chat.expectReply(/one youth worker or two/i);
  });

  it('the note a young person writes for staff is left out of the coordinator webhook (another service) unless the charity says so', async () => {
    const { chat } = await joinedMember(haven, 'Noor');
    await askForOneToOne(chat, { when: 'friday', note: 'i get a bit nervous on video calls' });
    const posted = await waitFor(
      () => hook.requests.find((r) => r.url === '/coordinator' && (r.json as { text: string }).text.includes('Noor')),
      8000,
      "Noor's request at the coordinator webhook",
    );
    const body = posted.json as { text: string; request: Record<string, unknown> };
    expect(posted.body).not.toContain('i get a bit nervous');
    expect(body.request).toMatchObject({ member: 'Noor', note: null, noteLeftOut: true });
    expect(body.text).toMatch(/left a note for you: read it on the dashboard/);
    // Staff read it on the dashboard's request, which is where the note is kept.
    const open = await haven.requests.list();
    expect(open.find((r) => r.memberName === 'Noor')?.note).toBe('i get a bit nervous on video calls');
  });
});
