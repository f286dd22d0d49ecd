import { Redis } from 'ioredis';
import { BotFrameworkChannel } from '../../src/adapters/botframework';
import { ChoiceMemory } from '../../src/adapters/botframework/choices';
import { PlatformRefusedError, PlatformUnavailableError } from '../../src/common/errors';
import { Keys } from '../../src/engine/keys';
import { REDIS_URL, captureLogger, cleanupPrefix, startStub, uniquePrefix, type StubServer } from '../support/haven';

/** A stored address as the core hands it back: the ConversationReference botbuilder made. */
function reference(serviceUrl: string, conversationId = 'a:1XyZ-personal-chat') {
  return {
    activityId: '1725876922417',
    user: { id: '29:1AbCdEf-user', name: 'Sam Carer', aadObjectId: '6d1e5f3a-2b4c-4d8e-9f0a-1b2c3d4e5f60' },
    bot: { id: '28:2c6b1c43-7a37-4b0e-bd27-6b2a39a9c5e1', name: 'Haven' },
    conversation: {
      id: conversationId,
      conversationType: 'personal',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    },
    channelId: 'msteams',
    locale: 'en-GB',
    serviceUrl,
  };
}

describe('Bot Framework channel: proactive sends (Emulator mode, no app id)', () => {
  const prefix = uniquePrefix('bf-send');
  let redis: Redis;
  let connector: StubServer;
  let channel: BotFrameworkChannel;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    connector = await startStub();
    channel = new BotFrameworkChannel({}, { redis, keys: new Keys(prefix), log: captureLogger().logger });
  });
  afterAll(async () => {
    await connector.close();
    await redis.quit();
    await cleanupPrefix(prefix);
  });
  beforeEach(() => {
    connector.requests.length = 0;
    connector.respond((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}'));
  });

  it('posts to /v3/conversations/{id}/activities with suggested actions, no token', async () => {
    const ref = reference(connector.url);
    await channel.send(
      ref,
      { text: 'Hello again', choices: [{ title: 'Talk to a youth worker', payload: 'MENU_REQUEST' }] },
      { purpose: 'staff' },
    );
    expect(connector.requests).toHaveLength(1);
    const r = connector.requests[0]!;
    expect(r.method).toBe('POST');
    expect(decodeURIComponent(r.url)).toBe(`/v3/conversations/${ref.conversation.id}/activities`);
    expect(r.headers.authorization).toBeUndefined();
    expect(r.json).toMatchObject({
      type: 'message',
      text: 'Hello again',
      conversation: { id: ref.conversation.id },
      recipient: { id: ref.user.id },
      from: { id: ref.bot.id },
      suggestedActions: {
        actions: [{ type: 'imBack', title: 'Talk to a youth worker', value: 'Talk to a youth worker' }],
      },
    });
    expect((r.json as Record<string, unknown>).replyToId).toBeUndefined();
    // The tap on that button, arriving later as text, maps back to its payload.
    const memory = new ChoiceMemory(redis, new Keys(prefix));
    const key = ChoiceMemory.key('msteams', ref.conversation.id, ref.user.id);
    expect(await memory.match(key, 'talk to a youth worker')).toEqual({
      title: 'Talk to a youth worker',
      payload: 'MENU_REQUEST',
    });
  });

  it('turns 429 into a refusal to retry after Retry-After', async () => {
    connector.respond((_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' })
        .end('{"error":{"code":"ThrottledRequest","message":"Too many requests"}}'),
    );
    const err = await channel.send(reference(connector.url), { text: 'x' }, { purpose: 'response' }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRefusedError);
    expect(err).toMatchObject({ status: 429, details: { retryAfterMs: 7000 } });
    // One attempt: retrying is the outbound queue's job, not botbuilder's pipeline's.
    expect(connector.requests).toHaveLength(1);
  });

  it.each([401, 403, 404])('turns %i into a permanent refusal', async (status) => {
    connector.respond((_req, res) =>
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(
          '{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}',
        ),
    );
    const err = await channel.send(reference(connector.url), { text: 'x' }, { purpose: 'notice' }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRefusedError);
    expect(err).toMatchObject({ status, details: { permanent: true } });
    expect(err.details.retryAfterMs).toBeUndefined();
    // The platform's words stay out of the error message (it reaches logs).
    expect(err.message).not.toContain('roster');
  });

  it('turns 400 into a refusal that is not permanent', async () => {
    connector.respond((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{}'));
    const err = await channel.send(reference(connector.url), { text: 'x' }, { purpose: 'notice' }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRefusedError);
    expect(err).toMatchObject({ status: 400, details: { permanent: false } });
  });

  it('turns 5xx and a connector that cannot be reached into unavailable (retried)', async () => {
    connector.respond((_req, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway'));
    const e502 = await channel.send(reference(connector.url), { text: 'x' }, { purpose: 'notice' }).catch((e) => e);
    expect(e502).toBeInstanceOf(PlatformUnavailableError);
    expect(connector.requests).toHaveLength(1);
    // A port with nothing listening: a stub closed a moment ago.
    const gone = await startStub();
    const url = gone.url;
    await gone.close();
    const eNet = await channel.send(reference(url), { text: 'x' }, { purpose: 'notice' }).catch((e) => e);
    expect(eNet).toBeInstanceOf(PlatformUnavailableError);
    expect(eNet.code).toBe('PLATFORM_UNAVAILABLE');
  });

  it('refuses for good an address that is not a conversation reference', async () => {
    const err = await channel.send({ k: 'webchat-key' }, { text: 'x' }, { purpose: 'notice' }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformRefusedError);
    expect(err.details.permanent).toBe(true);
  });
});
