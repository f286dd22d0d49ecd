import { MENU } from '../../src/flows/help/help';
import { loadSafetyContent } from '../../src/flows/online-safety/content';
import { refresherReminder, welcomeReminder } from '../../src/flows/online-safety/messages';
import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

describe('online-safety reminders (web chat, full Haven, clock controlled)', () => {
  const content = loadSafetyContent();
  const welcome = welcomeReminder(content);
  const refresherIntro = content.refresher.intro;
  const fullPoints = [...content.full.points, ...(content.full.callPoints ?? []), ...content.full.groundRules].map(
    (p) => p.text,
  );
  let clock = Date.parse('2025-03-03T10:00:00Z');
  let haven: Awaited<ReturnType<typeof startTestHaven>>;

  beforeAll(async () => {
    haven = await startTestHaven(
      'online-safety',
      { CHARITY_NAME: 'Young Carers Together' },
      { now: () => new Date(clock) },
    );
  });
  afterAll(async () => {
    await haven.shutdown();
  });
  beforeEach(() => {
    clock = Date.parse('2025-03-03T10:00:00Z');
  });

  const only = (replies: { text: string }[]) => {
    expect(replies).toHaveLength(1);
    return replies[0] as { text: string; choices?: { title: string; payload: string }[] };
  };
  const isFullList = (text: string) => fullPoints.every((p) => text.includes(p));

  it('gives a first message the short reminder with the welcome, and the rest on "more"', async () => {
    const p = await startConversation(haven);
    const reply = only(await p.turn('hi'));
    expect(reply.text).toContain("Hi, I'm Haven");
    expect(reply.text).toContain(welcome);
    expect(reply.text).toMatch(/personal information/);
    expect(reply.text).toMatch(/people you don't know/);
    expect(isFullList(reply.text)).toBe(false);
    const titles = reply.choices?.map((c) => c.title);
    expect(titles).toEqual(expect.arrayContaining(['Talk to a youth worker', content.welcome.moreChoice]));

    expect(isFullList(only(await p.turn('more')).text)).toBe(true);
  });

  it('gives a first message of any kind the short reminder when it is answered with the welcome', async () => {
    const p = await startConversation(haven);
    const reply = only(await p.turn('what is this?'));
    expect(reply.text).toContain(welcome);
  });

  it('gives the short reminder under any first answer: a first "join CODE" or request', async () => {
    const { joinCode } = await haven.members.add({ name: 'Kai', consentBy: 'Jo Smith', addedBy: 'test' });
    const joined = only(await (await startConversation(haven)).turn(`join ${joinCode}`));
    expect(joined.text).toMatch(/Welcome, Kai/);
    expect(joined.text).toContain(welcome);
    const asked = only(await (await startConversation(haven)).turn('can i talk to someone'));
    expect(asked.text).toContain(welcome);
    // Only once: the next answer does not repeat it.
    const p = await startConversation(haven);
    expect(only(await p.turn('can i talk to someone')).text).toContain(welcome);
    expect(only(await p.turn('hello')).text).not.toContain(welcome);
  });

  it('never puts safety tips under a first message that raised a concern', async () => {
    const reply = only(await (await startConversation(haven)).turn('my dad hits me'));
    expect(reply.text).toContain('0800 1111');
    expect(reply.text).not.toContain(welcome);
  });

  it.each(['staying safe', 'Safety', 'rules', 'rules pls', 'safe online?', 'online safety', 'Staying safe online?'])(
    'gives the whole list for "%s"',
    async (asked) => {
      const p = await startConversation(haven);
      await p.turn('hello');
      const reply = only(await p.turn(asked));
      expect(isFullList(reply.text)).toBe(true);
      expect(reply.choices?.map((c) => c.payload)).toContain(MENU.request);
    },
  );

  it('gives the whole list for a tap on the menu', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(isFullList(only(await p.turn('Staying safe online', MENU.safety)).text)).toBe(true);
  });

  it('gives the whole list for the menu number typed on a channel with numbered options', async () => {
    const p = await startConversation(haven);
    const first = only(await p.turn('hi'));
    const n = (first.choices ?? []).findIndex((c) => c.payload === MENU.safety) + 1;
    expect(n).toBeGreaterThan(0);
    expect(isFullList(only(await p.turn(String(n))).text)).toBe(true);
  });

  it('never gives the same reminder twice in a day', async () => {
    const p = await startConversation(haven);
    expect(only(await p.turn('hi')).text).toContain(welcome);
    clock += HOUR;
    expect(only(await p.turn('hello')).text).not.toContain(welcome);
    clock += 10 * HOUR;
    const later = only(await p.turn('hi'));
    expect(later.text).toContain("Hi, I'm Haven");
    expect(later.text).not.toContain(welcome);
    expect(later.text).not.toContain(refresherIntro);
  });

  it('does not add the short reminder to a welcome on the day they had the whole list', async () => {
    const p = await startConversation(haven);
    expect(isFullList(only(await p.turn('staying safe')).text)).toBe(true);
    clock += 2 * HOUR;
    const reply = only(await p.turn('hi'));
    expect(reply.text).toContain("Hi, I'm Haven");
    expect(reply.text).not.toContain(welcome);
  });

  it('gives a refresher to someone not seen for REFRESHER_DAYS, at most once in that period', async () => {
    const days = haven.config.REFRESHER_DAYS;
    expect(days).toBe(60);
    const p = await startConversation(haven);
    await p.turn('hi');

    clock += (days - 1) * DAY;
    expect(only(await p.turn('hi')).text).not.toContain(refresherIntro);

    clock += days * DAY;
    const back = only(await p.turn('hi'));
    expect(back.text.startsWith(refresherReminder(content))).toBe(true);
    expect(back.text).toContain("Hi, I'm Haven");
    expect(back.choices?.map((c) => c.payload)).toContain(MENU.request);

    clock += 2 * HOUR;
    expect(only(await p.turn('hi')).text).not.toContain(refresherIntro);
    clock += 3 * DAY;
    expect(only(await p.turn('hello')).text).not.toContain(refresherIntro);
    expect((await p.state())?.sent['safety.refresher']).toBe(clock - 3 * DAY - 2 * HOUR);
  });

  it('still knows someone, and gives the refresher, after their conversation state has expired', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    clock += 61 * DAY;
    // Conversation state lives STATE_TTL_DAYS (30): Redis would have deleted it by now.
    await haven.redis.del(haven.keys.state(p.conversationId));
    const back = only(await p.turn('hi'));
    expect(back.text.startsWith(refresherReminder(content))).toBe(true);
    expect(back.text).not.toContain(welcome);
  });

  it('keeps to "stop" after their conversation state has expired', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    await p.turn('stop');
    clock += 61 * DAY;
    await haven.redis.del(haven.keys.state(p.conversationId));
    const back = only(await p.turn('hi'));
    expect(back.text).not.toContain(refresherIntro);
    expect((await p.state())?.optedOut).toBe(true);
    const ttl = await haven.redis.ttl(haven.keys.prefs(p.conversationId));
    expect(ttl).toBeGreaterThan(300 * 24 * 3600);
    const prefs = (await haven.redis.get(haven.keys.prefs(p.conversationId))) ?? '';
    expect(prefs).not.toMatch(/hi|stop/);
  });

  it('puts the refresher in front of whatever answers the message', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    clock += 61 * DAY;
    const reply = only(await p.turn('tell me a joke'));
    expect(reply.text.startsWith(refresherIntro)).toBe(true);
    expect(reply.text).toMatch(/didn't quite get that/);
  });

  it('gives no refresher to someone who said stop', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    await p.turn('stop');
    clock += 90 * DAY;
    expect(only(await p.turn('hi')).text).not.toContain(refresherIntro);
  });
});

describe('the help flow, for what young people type', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('help-words', { CHARITY_NAME: 'Young Carers Together' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });
  const only = (r: { text: string }[]) => {
    expect(r).toHaveLength(1);
    return r[0] as { text: string };
  };

  it.each(['im worried', "I'm really scared", 'worried about something'])('"%s" is asked to say more', async (t) => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.turn(t)).text).toMatch(/what's worrying you/);
  });

  it.each(['ok', 'thanks', 'thx'])('"%s" gets a friendly word, not "I didn\'t get that"', async (t) => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.turn(t)).text).toMatch(/I'm here whenever you need me/);
  });

  it('says who runs Haven when it did not understand', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    const r = only(await p.turn('purple monkey dishwasher')).text;
    expect(r).toMatch(/didn't quite get that/);
    expect(r).toContain('youth workers at Young Carers Together');
    expect(r).toContain('999');
  });
});
