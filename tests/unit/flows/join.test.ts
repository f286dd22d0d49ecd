import { createHarness } from '../support/harness';

// `join CODE` through the real engine and flows, in memory (no Redis, no HTTP). The store's own
// rules (5 wrong codes an hour) and the web chat path stay in tests/flows/join.test.ts.
describe('join CODE (in memory)', () => {
  it('links on a good code; a used code is refused kindly; joining again says so', async () => {
    const haven = createHarness();
    const { memberId, joinCode } = haven.members.add('Ria');
    const phone = haven.chat();
    await phone.send(`JOIN ${joinCode}`);
    phone.expectReply(/Welcome, Ria/);
    expect((await haven.members.forConversation(phone.conversationId))?.id).toBe(memberId);

    const laptop = haven.chat();
    await laptop.send(`join ${joinCode}`);
    laptop.expectReply(/already been used.*new one/s);
    expect(await haven.members.forConversation(laptop.conversationId)).toBeNull();

    await phone.send('join');
    phone.expectReply(/already joined, Ria/);
  });

  it('a missing code, a wrong code, then an expired code, each get a clear answer', async () => {
    let clock = Date.parse('2025-03-03T10:00:00Z');
    const haven = createHarness({ now: () => new Date(clock) });
    const { joinCode } = haven.members.add('Old');
    const chat = haven.chat();
    await chat.send('join');
    chat.expectReply(/To join, send me your code, like this: ABCD1234/);
    await chat.send('join ACEF-GHJK');
    chat.expectReply(/don't know that code/);
    clock += 15 * 24 * 3600_000; // JOIN_CODE_TTL_DAYS is 14
    await chat.send(`join ${joinCode}`);
    chat.expectReply(/run out.*14 days/s);
    expect(await haven.members.forConversation(chat.conversationId)).toBeNull();
  });
});
