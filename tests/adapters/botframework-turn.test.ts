import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { Redis } from 'ioredis';
import type { AcceptResult } from '../../src/engine/adapter';
import { Keys } from '../../src/engine/keys';
import type { InboundMessage } from '../../src/engine/message';
import { checkActivity } from '../../src/adapters/botframework/activity';
import { ChoiceMemory } from '../../src/adapters/botframework/choices';
import { createTurnHandler, stripMentions } from '../../src/adapters/botframework/inbound';
import { toReplyActivity } from '../../src/adapters/botframework/outbound';

/** A Bot Framework activity from tests/fixtures/botframework (a fresh copy each time). */
function fixture(name: string): Partial<Activity> & Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'botframework', `${name}.json`), 'utf8'));
}

// Redis only (not a whole Haven), so this file does not import tests/support/haven.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('Bot Framework turn logic (botbuilder TestAdapter)', () => {
  const prefix = `t-bf-turn-${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  let choices: ChoiceMemory;
  let accepted: InboundMessage[];
  let adapter: TestAdapter;
  let acceptImpl: (m: InboundMessage) => Promise<AcceptResult>;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    choices = new ChoiceMemory(redis, new Keys(prefix));
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  beforeEach(() => {
    accepted = [];
    acceptImpl = async (m) => {
      accepted.push(m);
      return { outcome: 'queued', conversationId: 'c' };
    };
    const turn = createTurnHandler((m) => acceptImpl(m), choices);
    adapter = new TestAdapter(async (context) => {
      await turn(context);
    });
  });

  it('turns an Emulator "hi" into a text message addressed by its conversation reference', async () => {
    const a = fixture('emulator-message');
    await adapter.send(a).startTest();
    expect(accepted).toHaveLength(1);
    const m = accepted[0]!;
    expect(m).toMatchObject({ channel: 'botframework', kind: 'text', text: 'hi' });
    expect(m.senderId).toBe('emulator:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
    expect(m.sentAt).toBe(Date.parse('2024-09-09T10:15:30.123Z'));
    expect(m.address).toMatchObject({
      channelId: 'emulator',
      serviceUrl: 'http://localhost:61234',
      conversation: { id: a.conversation!.id },
      user: { id: a.from!.id },
      bot: { id: a.recipient!.id },
      activityId: a.id,
    });
    // The message id is scoped by channel and conversation, and hashed: no platform id in Redis keys.
    expect(m.messageId).not.toContain(a.id!);
    expect(m.messageId).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('strips Teams <at> mentions and keeps the rest of the text', async () => {
    await adapter.send(fixture('msteams-mention')).startTest();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ kind: 'text', text: 'i want to kill myself' });
    expect(accepted[0]!.senderId).toMatch(/^msteams:29:/);
    expect(stripMentions('<at>Haven</at>  hello <at id="1">Jo Bloggs</at>there')).toBe('hello there');
  });

  it('scopes the same activity id in two conversations apart, and folds it within one', async () => {
    const one = fixture('msteams-message');
    const other = {
      ...fixture('msteams-message'),
      conversation: { id: 'a:another-conversation' },
    } as Partial<Activity>;
    await adapter.send(one).send(fixture('msteams-message')).send(other).startTest();
    expect(accepted).toHaveLength(3);
    expect(accepted[0]!.messageId).toBe(accepted[1]!.messageId);
    expect(accepted[2]!.messageId).not.toBe(accepted[0]!.messageId);
  });

  it('reads a Teams Action.Submit value as a choice with its payload', async () => {
    await adapter.send(fixture('msteams-submit')).startTest();
    expect(accepted[0]).toMatchObject({ kind: 'choice', payload: 'MENU_REQUEST' });
  });

  it('reads a Web Chat postBack (hidden text flagged in channelData) as a choice', async () => {
    await adapter.send(fixture('webchat-postback')).startTest();
    expect(accepted[0]).toMatchObject({ kind: 'choice', payload: 'MENU_SAFETY', text: '' });
  });

  it('maps an imBack tap (the button title as text) back to the payload last offered', async () => {
    const a = fixture('msteams-message');
    const key = ChoiceMemory.key('msteams', a.conversation!.id, a.from!.id);
    await choices.remember(key, [
      { title: 'Talk to a youth worker', payload: 'MENU_REQUEST' },
      { title: 'Staying safe online', payload: 'MENU_SAFETY' },
    ]);
    await adapter
      .send({ ...a, id: 'tap-1', text: 'Staying safe online' })
      .send({ ...a, id: 'typed-1', text: 'staying safe online please' })
      .startTest();
    expect(accepted[0]).toMatchObject({ kind: 'choice', payload: 'MENU_SAFETY', text: 'Staying safe online' });
    expect(accepted[1]).toMatchObject({ kind: 'text', text: 'staying safe online please' });
    expect(accepted[1]!.payload).toBeUndefined();
  });

  it('turns an attachment without text into media', async () => {
    await adapter.send(fixture('webchat-image')).startTest();
    expect(accepted[0]).toMatchObject({ kind: 'media', text: '' });
  });

  it('greets the young person added by a conversationUpdate once, never the bot', async () => {
    const update = fixture('emulator-conversation-update');
    await adapter.send(update).send(fixture('emulator-conversation-update')).startTest();
    expect(accepted).toHaveLength(2);
    for (const m of accepted) {
      expect(m.kind).toBe('start');
      expect(m.senderId).toBe('emulator:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
      expect(m.address).toMatchObject({ user: { id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' } });
    }
    // Redelivered: the same message id, so the core folds it into one greeting.
    expect(accepted[0]!.messageId).toBe(accepted[1]!.messageId);
    // Only the bot added: nothing to greet.
    await adapter.send({ ...update, membersAdded: [{ id: update.recipient!.id, name: 'Bot' }] }).startTest();
    expect(accepted).toHaveLength(2);
  });

  it('greets a Teams install (conversationUpdate adding the person)', async () => {
    await adapter.send(fixture('msteams-conversation-update')).startTest();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ kind: 'start', senderId: expect.stringMatching(/^msteams:29:/) });
  });

  it('ignores other activity types, unknown channels and empty messages', async () => {
    await adapter
      .send(fixture('msteams-typing'))
      .send({ ...fixture('emulator-message'), channelId: 'slack' })
      .send({ ...fixture('emulator-message'), id: 'empty', text: '   ' })
      .send({ ...fixture('webchat-message'), type: 'messageReaction' })
      .startTest();
    expect(accepted).toHaveLength(0);
  });

  it('accepts every Bot Framework channel Haven serves', async () => {
    for (const channelId of ['msteams', 'skype', 'webchat', 'directline', 'emulator']) {
      await adapter.send({ ...fixture('emulator-message'), channelId, id: `id-${channelId}` }).startTest();
    }
    expect(accepted.map((m) => m.senderId.split(':')[0])).toEqual([
      'msteams',
      'skype',
      'webchat',
      'directline',
      'emulator',
    ]);
  });

  it('fails the turn when the core cannot store the message (so the route answers 503)', async () => {
    acceptImpl = async () => {
      throw new Error('redis down');
    };
    await expect(adapter.send(fixture('emulator-message')).startTest()).rejects.toThrow('redis down');
  });
});

describe('Bot Framework activity checks and replies', () => {
  it('accepts the documented shapes and names what is missing', () => {
    for (const f of ['emulator-message', 'skype-message', 'msteams-message', 'webchat-message', 'msteams-typing'])
      expect(checkActivity(fixture(f))).toEqual({ ok: true });
    const noConversation = fixture('msteams-message');
    delete noConversation.conversation;
    const r = checkActivity(noConversation);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.join(' ')).toContain('conversation');
    expect(checkActivity({ ...fixture('webchat-message'), serviceUrl: 'javascript:alert(1)' }).ok).toBe(false);
    const noId = fixture('webchat-message');
    delete noId.id;
    expect(checkActivity(noId).ok).toBe(false);
    expect(checkActivity([]).ok).toBe(false);
  });

  it('sends choices as imBack suggested actions with the title as value', () => {
    const a = toReplyActivity({
      text: 'Pick one',
      choices: [
        { title: 'Talk to a youth worker', payload: 'MENU_REQUEST' },
        { title: "I'm worried", payload: 'MENU_WORRIED' },
      ],
    });
    expect(a.text).toBe('Pick one');
    expect(a.suggestedActions?.actions).toEqual([
      { type: 'imBack', title: 'Talk to a youth worker', value: 'Talk to a youth worker' },
      { type: 'imBack', title: "I'm worried", value: "I'm worried" },
    ]);
    expect(toReplyActivity({ text: 'plain' }).suggestedActions).toBeUndefined();
  });
});
