import { MENU } from '../../../src/engine/message';
import { createHarness } from '../support/harness';

describe('help: the welcome and the menu (in memory)', () => {
  it('welcomes a first message with the menu, and answers its choices tapped or typed by number', async () => {
    const haven = createHarness();
    const chat = haven.chat();
    await chat.send('hi');
    const welcome = chat.expectReply(/Hi, I'm Haven/);
    expect(welcome.purpose).toBe('response');
    const payloads = welcome.choices?.map((c) => c.payload) ?? [];
    expect(payloads).toEqual(expect.arrayContaining([MENU.request, MENU.safety]));
    chat.expectNoMoreReplies();

    // Tapping "staying safe online" answers with the safety list; typing its number does the same.
    const safety = welcome.choices?.find((c) => c.payload === MENU.safety);
    expect(safety).toBeDefined();
    await chat.tap(safety!);
    const tapped = chat.expectReply(/./);
    const other = haven.chat();
    await other.send('hi');
    other.expectReply(/Hi, I'm Haven/);
    await other.send(String((welcome.choices ?? []).indexOf(safety!) + 1));
    expect(other.expectReply(/./).text).toBe(tapped.text);
  });

  it('"I\'m worried" with no staff inbox to take it promises no youth worker, and says where help is now', async () => {
    // The in-memory harness has no inbox: opening a conversation fails, as it would with Redis away.
    const haven = createHarness();
    const chat = haven.chat();
    await chat.send('hi');
    chat.expectReply(/Hi, I'm Haven/);
    await chat.tap({ title: "I'm worried", payload: MENU.worried });
    const reply = chat.expectReply(/glad you reached out/);
    expect(reply.text).not.toMatch(/will read/);
    expect(reply.text).toMatch(/999/);
    expect(reply.text).toMatch(/0800 1111/);
  });

  it('says who runs Haven, and how to get help now, when it did not understand', async () => {
    const haven = createHarness({ settings: { charityName: 'Young Carers Together' } });
    const chat = haven.chat();
    await chat.send('hi');
    chat.expectReply(/Hi, I'm Haven/);
    await chat.send('purple monkey dishwasher');
    const r = chat.expectReply(/didn't quite get that/);
    expect(r.text).toContain('youth workers at Young Carers Together');
    expect(r.text).toContain('999');
  });

  it('a message that raises a concern gets the helplines, not the menu, and is screened first', async () => {
    const haven = createHarness();
    const chat = haven.chat();
    await chat.send('my dad hits me');
    const r = chat.expectReply(/0800 1111/);
    expect(r.text).not.toMatch(/Hi, I'm Haven/);
    expect(haven.alerts).toEqual([{ conversationId: chat.conversationId, category: expect.any(String) }]);
  });

  it('answers a message the queue delivers twice only once', async () => {
    const haven = createHarness();
    const chat = haven.chat();
    await chat.send('hi');
    await chat.redeliver();
    chat.expectReply(/Hi, I'm Haven/);
    chat.expectNoMoreReplies();
    // A new message is answered as usual.
    await chat.send('purple monkey dishwasher');
    chat.expectReply(/didn't quite get that/);
  });
});

describe('common ways of asking, understood (in memory)', () => {
  const fresh = async () => {
    const haven = createHarness();
    const chat = haven.chat();
    await chat.send('hi');
    chat.expectReply(/Hi, I'm Haven/);
    return { haven, chat };
  };

  it.each([
    'how do i stay safe on like tiktok and snap',
    'staying safe on snapchat',
    'how can i keep safe when gaming',
  ])('staying safe somewhere online: "%s" gets the safety tips', async (text) => {
    const { chat } = await fresh();
    await chat.send(text);
    expect(chat.expectReply(/./).text).not.toMatch(/didn't quite get/);
  });

  it.each([
    'what do i do if i see extremist stuff on my feed',
    'what should i do if a stranger messages me on roblox',
    'how do i report a video on tiktok',
  ])('a question about what to do about something online: "%s" gets the safety tips', async (text) => {
    const { chat } = await fresh();
    await chat.send(text);
    expect(chat.expectReply(/./).text).toMatch(/personal information/);
  });

  it('"what do i do if mum falls again" is not taken for an online-safety question', async () => {
    const { chat } = await fresh();
    await chat.send('what do i do if mum falls again');
    expect(chat.expectReply(/./).text).not.toMatch(/personal information/);
  });

  it('"i got a code from my youth worker" is told how to send it; "my code is ..." is tried as a code', async () => {
    const { haven, chat } = await fresh();
    await chat.send('i got a code from my youth worker');
    chat.expectReply(/send me your code, like this/);
    const { joinCode } = haven.members.add('Ada');
    await chat.send(`my code is ${joinCode.toLowerCase()}`);
    chat.expectReply(/Welcome, Ada/);
  });

  it('the menu text says what else Haven does: groups, and joining with a code', async () => {
    const { chat } = await fresh();
    await chat.send('help');
    const help = chat.expectReply(/I can help you/);
    expect(help.text).toMatch(/support group/);
    expect(help.text).toMatch(/code your youth worker gave you/);
  });
});
