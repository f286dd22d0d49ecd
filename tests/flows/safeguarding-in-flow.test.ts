import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

describe('a concern in the middle of a conversation', () => {
  let haven: TestHaven;

  beforeAll(async () => {
    haven = await startTestHaven('sg-in-flow');
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  /** A member called `name`, joined, asking for a one-to-one, at the question "anything you'd like the youth worker to know?". */
  async function atTheNoteQuestion(name: string) {
    const { joinCode } = await haven.members.add({ name, consentBy: 'Jo Smith', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(new RegExp(`Welcome, ${name}`));
    await chat.send('can i talk to someone');
    await chat.expectReply(/How would you like to meet/);
    await chat.tap('Zoom');
    await chat.expectReply(/When suits you/);
    await chat.send('after school on Friday');
    await chat.expectReply(/one youth worker or two/);
    await chat.send('1');
    await chat.expectReply(/anything you'd like the youth worker to know/);
    return chat;
  }

  it('a concern given as a one-to-one answer is alerted AND taken as the answer', async () => {
    const chat = await atTheNoteQuestion('Alex');
    const concern = 'my stepdad hits me when mum is at work';
    await chat.send(concern);
    // The next two replies, in order: the safeguarding reply, then the request's next step with the answer in it.
    const [care, confirm] = await chat.nextReplies(2);
    expect(care?.text).toMatch(/Thank you for telling us/);
    expect(care?.text).toMatch(/Nobody is allowed to hurt you/);
    expect(confirm?.text).toMatch(/Shall I send it/);
    expect(confirm?.text).toContain(concern);
    const alerts = (await haven.alerts.store.list()).filter((a) => a.text === concern);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.category).toBe('abuse_physical');
  });

  it('low mood given as a one-to-one answer is taken as the answer, not passed on as a new worry', async () => {
    const chat = await atTheNoteQuestion('Sam');
    await chat.send('ive been feeling really low lately');
    const confirm = await chat.expectReply(/Shall I send it/);
    expect(confirm.text).toContain('ive been feeling really low lately');
  });

  it('"please don’t tell my mum" gets an honest answer about what stays private, not a second alert', async () => {
    const chat = await startConversation(haven);
    await chat.send('my mums boyfriend hits her every night');
    await chat.expectReply(/National Domestic Abuse Helpline/);
    const before = (await haven.alerts.store.list()).length;
    await chat.send("please don't tell my mum");
    const [answer] = await chat.nextReplies(1);
    expect(answer?.text).toMatch(/only our youth workers read it/);
    expect(answer?.text).toMatch(/may have to share it with people whose job is to keep children safe/);
    // The reply was sent after the screen ran (an alert is raised before any flow): none was raised.
    expect((await haven.alerts.store.list()).length).toBe(before);
  });
});
