import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bareJoinCode } from '../../src/flows/join/join';
import { loadSafetyContent } from '../../src/flows/online-safety/content';
import { fullReminder } from '../../src/flows/online-safety/messages';
import { PLATFORM_CHOICES } from '../../src/flows/one-to-one/texts';
import { startConversation, type Conversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';

/** The rough edges a first young person hit on the web chat, each as they met it. */
describe('a first young person on the web chat', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('rough', { CHARITY_NAME: 'Young Carers Together' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  /** A person past the first welcome. */
  async function greeted(): Promise<Conversation> {
    const chat = await startConversation(haven);
    await chat.send('hi');
    await chat.expectReply(/Hi, I'm Haven/);
    return chat;
  }

  async function joined(name: string): Promise<{ chat: Conversation; memberId: string }> {
    const { memberId, joinCode } = await haven.members.add({ name, consentBy: 'Parent', addedBy: 't' });
    const chat = await greeted();
    await chat.send(joinCode);
    await chat.expectReply(new RegExp(`Welcome, ${name}`));
    return { chat, memberId };
  }

  it('"what is this" is answered as the question it is, not "I didn\'t get that"', async () => {
    const chat = await greeted();
    const questions = ['what is this', "what's this?", 'who are you', 'are you a real person'];
    for (const [i, q] of questions.entries()) {
      await chat.send(q);
      // each way of asking gets the same answer (the strict driver checks repeats are meant)
      const r = await chat.expectReply(/./, { repeat: i > 0 });
      expect(r.text).not.toMatch(/didn't quite get that/);
      expect(r.text).toMatch(/This is Haven/);
      expect(r.text).toMatch(/computer, not a person/);
      expect(r.text).toContain('Young Carers Together');
    }
  });

  it('a join code sent on its own links the member; "join CODE" still works', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Noor', consentBy: 'Parent', addedBy: 't' });
    const chat = await greeted();
    await chat.send(`${joinCode.slice(0, 4)}-${joinCode.slice(4)}`);
    await chat.expectReply(/Welcome, Noor/);
    expect((await haven.members.forConversation(chat.conversationId))?.id).toBe(memberId);
    // A code-like word inside another flow's question is that flow's answer, not a join attempt.
    await chat.send(joinCode);
    await chat.expectReply(/already joined, Noor/);
  });

  it('a code-shaped message is only taken for a code when it could be one', () => {
    expect(bareJoinCode('7JRP44C9')).toBe('7JRP44C9');
    expect(bareJoinCode('7jrp 44c9')).toBe('7jrp 44c9');
    expect(bareJoinCode('ACEFGHJK')).toBe('ACEFGHJK');
    // Everyday words in lower case, letters outside the alphabet, wrong lengths: not codes.
    expect(bareJoinCode('acefghjk')).toBeNull();
    expect(bareJoinCode('whatever')).toBeNull();
    expect(bareJoinCode('7JRP44C')).toBeNull();
    expect(bareJoinCode('7JRP44C90')).toBeNull();
    expect(bareJoinCode('hello there')).toBeNull();
  });

  it('understands the common ways of asking for the online-safety tips', async () => {
    const chat = await greeted();
    const full = fullReminder(loadSafetyContent());
    const questions = [
      'can i have the online safety tips',
      'Can I get some safety tips please?',
      'tell me about online safety',
      'give me tips on staying safe online',
      'what are the rules',
      'any tips for staying safe',
      'can you send me the safety rules pls',
    ];
    for (const [i, q] of questions.entries()) {
      await chat.send(q);
      // each way of asking gets the same full reminder (the strict driver checks repeats are meant)
      const r = await chat.expectReply(/./, { repeat: i > 0 });
      expect({ q, text: r.text }).toEqual({ q, text: full });
    }
  });

  it('"is there a group i can go to" and "can i join a group" ask about groups, not join codes', async () => {
    const chat = await greeted();
    await chat.send('is there a group i can go to');
    const a = await chat.expectReply(/group/i);
    expect(a.text).not.toMatch(/didn't quite get|doesn't look like a join code/);
    await chat.send('can i join a group');
    const b = await chat.expectReply(/group/i, { repeat: true });
    expect(b.text).not.toMatch(/didn't quite get|doesn't look like a join code/);
  });

  it('general tips come first; call and group rules follow under headings that say where they apply', () => {
    const content = loadSafetyContent();
    const text = fullReminder(content);
    const at = (s: string) => text.indexOf(s);
    expect(at("Don't share personal information")).toBeGreaterThan(0);
    expect(at("Don't share personal information")).toBeLessThan(at('A call is live'));
    expect(at('A call is live')).toBeGreaterThan(at('When you have a video or phone call with a youth worker:'));
    expect(at('What people share in the group stays in the group')).toBeGreaterThan(at('In our groups:'));
    expect(at('In our groups:')).toBeGreaterThan(at('A call is live'));
    // The general tips are everything before the first heading.
    const general = text.slice(0, at('When you have a video'));
    expect(general).not.toMatch(/call|group/i);
  });

  it('offers Teams, not Skype, as a way to meet', async () => {
    expect(PLATFORM_CHOICES.map((c) => c.title)).toEqual(['WhatsApp', 'Messenger', 'Teams', 'Zoom', 'Phone call']);
    const { chat } = await joined('Tam');
    await chat.send('can i talk to someone');
    const q = await chat.expectReply(/How would you like to meet/);
    expect(q.choices?.map((c) => c.title)).toContain('Teams');
    expect(JSON.stringify(q.choices)).not.toMatch(/skype/i);
  });

  it('"cancel" on a booked session asks first; something else leaves it booked', async () => {
    const { chat, memberId } = await joined('Cal');
    const { request } = await haven.requests.create({
      memberId,
      memberName: 'Cal',
      conversationId: chat.conversationId,
      platform: 'zoom',
      when: 'after school',
      workers: 'one',
    });
    await haven.requests.schedule(
      request.id,
      { at: new Date(Date.now() + 3 * 24 * 3600_000), place: 'https://zoom.us/j/1', workers: ['Ana'] },
      'Ana',
    );
    await chat.expectReply(/booked/);
    await chat.send('cancel');
    const q = await chat.expectReply(/Do you want to cancel your one-to-one on/);
    expect(q.choices?.map((c) => c.title)).toEqual(['Yes, cancel it', 'No, keep it']);
    expect((await haven.requests.get(request.id))?.status).toBe('scheduled');
    // Not an answer: the question lapses and nothing is cancelled.
    await chat.send('staying safe');
    await chat.expectReply(/Tips for everyone/);
    expect((await haven.requests.get(request.id))?.status).toBe('scheduled');
    await chat.send('cancel');
    await chat.expectReply(/Do you want to cancel/);
    await chat.tap('Yes, cancel it');
    await chat.expectReply(/cancelled your one-to-one/);
    expect((await haven.requests.get(request.id))?.status).toBe('cancelled');
  });

  it('staff cancelling with a reason: the young person is told the reason', async () => {
    const { chat, memberId } = await joined('Rae');
    const { request } = await haven.requests.create({
      memberId,
      memberName: 'Rae',
      conversationId: chat.conversationId,
      platform: 'phone',
      when: 'weekends',
      workers: 'one',
    });
    await haven.requests.close(request.id, 'cancelled', 'Casey', { reason: 'Terry is off sick this week' });
    const told = await chat.expectReply(/cancelled your one-to-one/);
    expect(told.text).toContain('"Terry is off sick this week"');
    expect(told.text).toMatch(/ask me again/);
    const history = await haven.requests.history(request.id);
    expect(history.find((e) => e.event === 'closed')?.detail).toBe('cancelled: Terry is off sick this week');
  });

  it('no staff words ("safeguarding lead", "consent form") in what children are told', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|json)$/.test(f)) files.push(p);
      }
    };
    const root = join(__dirname, '..', '..', 'src');
    walk(join(root, 'flows'));
    files.push(join(root, 'domain', 'requests', 'texts.ts'));
    // The safeguarding reply's own texts are rewritten per category elsewhere.
    const mine = files.filter(
      (f) => !f.endsWith(join('safeguarding', 'reply.ts')) && !f.includes(join('flows', 'staff')),
    );
    for (const f of mine) {
      // Only string literals: comments and identifiers may use staff words.
      const strings = readFileSync(f, 'utf8').match(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g) ?? [];
      for (const s of strings)
        expect({ f, s }).not.toEqual({
          f,
          s: expect.stringMatching(/safeguarding lead|consent form|escalat|safeguarding rules/i),
        });
    }
  });
});
