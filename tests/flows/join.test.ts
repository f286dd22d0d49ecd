import { Redis } from 'ioredis';
import { MemberStore } from '../../src/domain/members';
import { startConversation } from '../support/conversation';
import { REDIS_URL, startTestHaven } from '../support/haven';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

describe('join CODE over the web chat', () => {
  let haven: TestHaven;
  beforeAll(async () => {
    haven = await startTestHaven('join');
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('links on a good code; a used code is refused kindly', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Ria', consentBy: 'Jo', addedBy: 't' });
    const phone = await startConversation(haven);
    await phone.send(`JOIN ${joinCode}`);
    await phone.expectReply(/Welcome, Ria/);
    expect((await haven.members.forConversation(phone.conversationId))?.id).toBe(memberId);
    const laptop = await startConversation(haven);
    await laptop.send(`join ${joinCode}`);
    await laptop.expectReply(/already been used.*new one/s);
    expect(await haven.members.forConversation(laptop.conversationId)).toBeNull();
    await phone.send('join');
    await phone.expectReply(/already joined, Ria/);
  });

  it('a wrong code, then an expired code, each get a clear answer', async () => {
    const chat = await startConversation(haven);
    await chat.send('join');
    await chat.expectReply(/send me your code, like this/);
    await chat.send('join ACEF-GHJK');
    await chat.expectReply(/don't know that code/);
    // A code issued 15 days ago (JOIN_CODE_TTL_DAYS is 14).
    const redis = new Redis(REDIS_URL);
    try {
      const past = new MemberStore(redis, haven.keys, {
        hashSecret: haven.config.idHashSecret,
        joinCodeTtlDays: haven.config.JOIN_CODE_TTL_DAYS,
        now: () => Date.now() - 15 * 24 * 3600_000,
      });
      const { joinCode } = await past.add({ name: 'Old', consentBy: 'Jo', addedBy: 't' });
      await chat.send(`join ${joinCode}`);
      await chat.expectReply(/run out.*14 days/s);
    } finally {
      await redis.quit();
    }
    expect(await haven.members.forConversation(chat.conversationId)).toBeNull();
  });

  it('after 5 wrong codes in an hour, even a good code is refused for now', async () => {
    const { joinCode } = await haven.members.add({ name: 'Gus', consentBy: 'Jo', addedBy: 't' });
    const chat = await startConversation(haven);
    for (let i = 0; i < 5; i++) {
      await chat.send(`join KMNP${'RTWXE'[i]}YAC`);
      await chat.expectReply(/don't know that code/, { repeat: i > 0 }); // the same answer each time
    }
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/a lot of tries.*hour/s);
    expect(await haven.members.forConversation(chat.conversationId)).toBeNull();
  });
});

describe('join-code guessing over the web chat, a new browser id for every try', () => {
  let haven: TestHaven;
  beforeAll(async () => {
    // The wrong codes from an address are counted per clock hour: this Haven's clock is stopped, so
    // the hour cannot turn (and the count start again) during the test.
    const stopped = new Date();
    haven = await startTestHaven(
      'join-guessing',
      {
        JOIN_FAILURES_PER_ADDRESS_PER_HOUR: '3',
        JOIN_CODE_RETIRE_AFTER_FAILURES: '2',
      },
      { now: () => stopped },
    );
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('a code retired by wrong guesses is refused kindly, and the address meets its limit', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Ida', consentBy: 'Jo', addedBy: 't' });
    // Two wrong codes, each from a new browser (all from this one address).
    for (const guess of ['KMNPRYAC', 'KMNPTYAC']) {
      const guesser = await startConversation(haven);
      await guesser.send(`join ${guess}`);
      await guesser.expectReply(/don't know that code/);
    }
    // Ida's code has met two wrong guesses since it was issued: switched off, and she is told what to do.
    const ida = await startConversation(haven);
    await ida.send(joinCode);
    await ida.expectReply(/switched off.*ask your youth worker for a new one/s);
    expect(await haven.members.forConversation(ida.conversationId)).toBeNull();
    // One more wrong code makes three from this address: the next browser from here waits, even with a good code.
    const third = await startConversation(haven);
    await third.send('join KMNPWYAC');
    await third.expectReply(/don't know that code/);
    const fresh = await haven.members.issueCode(memberId);
    const next = await startConversation(haven);
    await next.send(`join ${fresh}`);
    await next.expectReply(/a lot of tries/);
    expect(await haven.members.forConversation(next.conversationId)).toBeNull();
    // The address is kept only as a keyed hash: no key holds it.
    expect(await haven.redis.keys(`${haven.prefix}*127.0.0.1*`)).toEqual([]);
  });
});
