import { MENU } from '../../../src/engine/message';
import { loadSafetyContent } from '../../../src/flows/online-safety/content';
import { welcomeReminder } from '../../../src/flows/online-safety/messages';
import { createHarness } from '../support/harness';

const HOUR = 3600 * 1000;

// A few of tests/flows/online-safety.test.ts, in memory with a controlled clock. The rest (state
// expiry in Redis, "stop" across expiry) stay there, end to end.
describe('online-safety reminders (in memory, clock controlled)', () => {
  const content = loadSafetyContent();
  const welcome = welcomeReminder(content);
  const fullPoints = [...content.full.points, ...content.full.groundRules].map((p) => p.text);
  const isFullList = (text: string) => fullPoints.every((p) => text.includes(p));
  let clock = Date.parse('2025-03-03T10:00:00Z');
  const harness = () => createHarness({ now: () => new Date(clock) });
  beforeEach(() => {
    clock = Date.parse('2025-03-03T10:00:00Z');
  });

  it('gives a first message the short reminder with the welcome, and the rest on "more"', async () => {
    const chat = harness().chat();
    await chat.send('hi');
    const reply = chat.expectReply(/Hi, I'm Haven/);
    expect(reply.text).toContain(welcome);
    expect(isFullList(reply.text)).toBe(false);
    expect(reply.choices?.map((c) => c.title)).toEqual(
      expect.arrayContaining(['Talk to a youth worker', content.welcome.moreChoice]),
    );
    await chat.send('more');
    expect(isFullList(chat.expectReply(/./).text)).toBe(true);
  });

  it.each(['staying safe', 'Safety', 'rules pls', 'Staying safe online?'])(
    'gives the whole list for "%s"',
    async (asked) => {
      const chat = harness().chat();
      await chat.send('hello');
      chat.expectReply(/./);
      await chat.send(asked);
      const reply = chat.expectReply(/./);
      expect(isFullList(reply.text)).toBe(true);
      expect(reply.choices?.map((c) => c.payload)).toContain(MENU.request);
    },
  );

  it('gives the whole list for the menu number typed on a channel with numbered options', async () => {
    const chat = harness().chat();
    await chat.send('hi');
    const first = chat.expectReply(/./);
    const n = (first.choices ?? []).findIndex((c) => c.payload === MENU.safety) + 1;
    expect(n).toBeGreaterThan(0);
    await chat.send(String(n));
    expect(isFullList(chat.expectReply(/./).text)).toBe(true);
  });

  it('never gives the same reminder twice in a day', async () => {
    const chat = harness().chat();
    await chat.send('hi');
    expect(chat.expectReply(/./).text).toContain(welcome);
    clock += HOUR;
    await chat.send('hello');
    expect(chat.expectReply(/./).text).not.toContain(welcome);
    clock += 10 * HOUR;
    await chat.send('hi');
    const later = chat.expectReply(/Hi, I'm Haven/);
    expect(later.text).not.toContain(welcome);
    expect(later.text).not.toContain(content.refresher.intro);
  });

  it('never puts safety tips under a first message that raised a concern', async () => {
    const chat = harness().chat();
    await chat.send('my dad hits me');
    const reply = chat.expectReply(/0800 1111/);
    expect(reply.text).not.toContain(welcome);
  });
});
