import { MENU } from '../../src/flows/help/help';
import { discreetText, neutralFirstLine } from '../../src/flows/privacy/discreet';
import { PRIVACY } from '../../src/flows/privacy/flow';
import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';

const CHARITY = 'Young Carers Together';

describe('discreetText (pure)', () => {
  it('starts with a neutral line and never names the charity, anywhere', () => {
    const out = discreetText(
      { text: `Young Carers Together: your chat is booked.\n\nSee you soon from young carers together!` },
      { hide: [CHARITY] },
    );
    expect(out.text.split('\n')[0]).toBe('Hi');
    expect(out.text.toLowerCase()).not.toContain(CHARITY.toLowerCase());
    expect(out.text).toContain('your chat is booked');
  });

  it('says which day a message is about, as "Hi, it\'s about Thursday"', () => {
    expect(neutralFirstLine('Your one-to-one chat is on Thursday at 4pm.')).toBe("Hi, it's about Thursday");
    expect(neutralFirstLine('See you tomorrow')).toBe("Hi, it's about tomorrow");
    expect(discreetText({ text: 'Your chat with a youth worker is on thursday at 4pm.' }).text.split('\n')[0]).toBe(
      "Hi, it's about Thursday",
    );
  });

  it('starts an answer to their own message with a plain "Hi", whatever day it mentions', () => {
    const reply = { text: 'Thank you for telling me. A youth worker will read this today after 9am.' };
    expect(discreetText(reply, { purpose: 'response' }).text.split('\n')[0]).toBe('Hi');
    expect(discreetText(reply, { purpose: 'event' }).text.split('\n')[0]).toBe("Hi, it's about today");
  });

  it('keeps the choices, and is idempotent', () => {
    const once = discreetText(
      { text: 'Hello', choices: [{ title: `About ${CHARITY}`, payload: 'X' }] },
      { hide: [CHARITY] },
    );
    expect(once.choices).toEqual([{ title: 'About the charity', payload: 'X' }]);
    expect(discreetText(once, { hide: [CHARITY] })).toEqual(once);
  });
});

describe('privacy in conversation (web chat, full Haven)', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('privacy', { CHARITY_NAME: CHARITY });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  const only = (replies: { text: string }[]) => {
    expect(replies).toHaveLength(1);
    return replies[0] as { text: string; choices?: { title: string; payload: string }[] };
  };
  const optedOutCount = async () =>
    (await haven.metrics.outbound.get()).values.find(
      (v) => v.labels.channel === 'webchat' && v.labels.outcome === 'opted_out',
    )?.value ?? 0;

  it('"stop" stops notices at once, says how to start again, and still answers their messages', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.notify({ text: 'Reminder: your chat is tomorrow.' })).text).toContain('tomorrow');

    const said = only(await p.turn('stop')).text;
    expect(said).toMatch(/send start/i);
    expect((await p.state())?.optedOut).toBe(true);

    const before = await optedOutCount();
    expect(await p.notify({ text: 'Reminder: your chat is tomorrow.' })).toEqual([]);
    expect(await optedOutCount()).toBe(before + 1);

    expect(only(await p.turn('hi')).text).toContain("Hi, I'm Haven");
    expect(only(await p.notify({ text: 'A youth worker here: are you OK?' }, 'staff')).text).toContain('are you OK');
    expect(only(await p.notify({ text: 'Answer to what you asked' }, 'response')).text).toContain('Answer');
  });

  it.each(['unsubscribe', 'Leave me alone', 'STOP!'])('"%s" opts out too', async (words) => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.turn(words)).text).toMatch(/send start/i);
    expect((await p.state())?.optedOut).toBe(true);
    expect(await p.notify({ text: 'Reminder' })).toEqual([]);
  });

  it('still gives the safeguarding reply, with helplines, to someone who opted out', async () => {
    const p = await startConversation(haven);
    await p.turn('stop');
    expect(only(await p.turn('my dad hits me')).text).toContain('0800 1111');
  });

  it('"stop" in the middle of another flow ends that flow too', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    const s = await p.state();
    await haven.redis.set(
      haven.keys.state(p.conversationId),
      JSON.stringify({ ...s, flow: { name: 'join', step: 'code', answers: {} } }),
    );
    expect(only(await p.turn('leave me alone')).text).toMatch(/stopped what we were doing/);
    expect((await p.state())?.flow).toBeUndefined();
  });

  it('"start" turns notices back on', async () => {
    const p = await startConversation(haven);
    await p.turn('stop');
    expect(only(await p.turn('start')).text).toMatch(/on again/);
    expect((await p.state())?.optedOut).toBe(false);
    expect(only(await p.notify({ text: 'Reminder: your chat is tomorrow.' })).text).toContain('tomorrow');
  });

  it('"start" from someone who never opted out is a greeting', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.turn('start')).text).toContain("Hi, I'm Haven");
  });

  it('answers "privacy" with a short, plain notice and "more" with the rest', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    const notice = only(await p.turn('privacy'));
    expect(notice.text).toContain(`${haven.config.STATE_TTL_DAYS} days`);
    expect(notice.text).toMatch(/youth workers/);
    expect(notice.text).toMatch(/whose job is keeping young people safe/);
    expect(notice.text.split('\n').length).toBeLessThanOrEqual(6);
    expect(notice.choices).toEqual([{ title: 'More', payload: PRIVACY.more }]);

    const more = only(await p.turn('more'));
    expect(more.text).toContain(`${haven.config.REQUEST_RETENTION_DAYS} days`);
    expect(more.text).toMatch(/delete my data/);
    expect(more.choices?.map((c) => c.payload)).toContain(MENU.request);
  });

  it('answers "what do you keep?" with the notice too', async () => {
    const p = await startConversation(haven);
    await p.turn('hi');
    expect(only(await p.turn('What do you keep?')).text).toMatch(/Your privacy, in short/);
  });

  it('discreet mode: no charity name in any message, a neutral first line, and the helplines kept', async () => {
    const p = await startConversation(haven);
    expect(only(await p.turn('hi')).text).toContain(CHARITY);
    expect(only(await p.turn('discreet')).text).toMatch(/discreet off/);
    expect((await p.state())?.discreet).toBe(true);

    const hello = only(await p.turn('hello')).text;
    expect(hello.split('\n')[0]).toBe('Hi');
    expect(hello).not.toContain(CHARITY);
    expect(hello).toContain("I'm Haven");
    expect(hello.split('\n').filter((l) => /^hi\b/i.test(l))).toHaveLength(1);

    const notice = only(await p.turn('privacy')).text;
    expect(notice.split('\n')[0]).toBe('Hi');
    expect(notice).not.toContain(CHARITY);

    const reminder = only(await p.notify({ text: `${CHARITY}: your one-to-one chat is on Thursday at 4pm.` })).text;
    expect(reminder.split('\n')[0]).toBe("Hi, it's about Thursday");
    expect(reminder).not.toContain(CHARITY);
    expect(reminder).toContain('Thursday at 4pm');

    const help = only(await p.turn('my dad hits me')).text;
    expect(help.split('\n')[0]).toBe('Hi');
    expect(help).not.toContain(CHARITY);
    expect(help).toContain('Childline: call 0800 1111');
    expect(help).toContain('999');

    expect(only(await p.turn('discreet off')).text).toMatch(/back to normal/);
    expect(only(await p.turn('hi')).text).toContain(CHARITY);
  });
});
