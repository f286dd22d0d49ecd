import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Engine } from '../../src/engine/engine';
import type { NamedFlow } from '../../src/engine/flow';
import { createLogger } from '../../src/common/logger';
import { Keys } from '../../src/engine/keys';
import type { InboundJob, OutboundJob } from '../../src/engine/message';
import { Outbox } from '../../src/engine/outbox';
import type { Services } from '../../src/engine/services';
import { newState, StateStore } from '../../src/engine/state';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

const quiet = createLogger({ level: 'silent', pretty: false });
const noConcern = { alert: false, category: null, severity: null, matched: [] };

describe('engine', () => {
  const prefix = uniquePrefix('engine');
  const keys = new Keys(prefix);
  const redis = new Redis(REDIS_URL);
  const outbound = new Queue('outbound', { connection: redis, prefix: keys.queuePrefix });
  const states = new StateStore(redis, keys, 3600);
  const services = {
    members: { forConversation: async () => null },
    settings: {
      charityName: 'Test',
      officeHours: 'Mon-Fri 09:00-17:00',
      timezone: 'Europe/London',
      joinCodeTtlDays: 14,
      refresherDays: 60,
    },
  } as unknown as Services;

  const engineWith = (flows: NamedFlow[], lockWaitMs?: number) =>
    new Engine({
      lockWaitMs,
      redis,
      keys,
      states,
      outbox: new Outbox(outbound),
      services,
      flows,
      log: quiet,
      handledTtlSeconds: 3600,
    });

  /** A flow that counts messages in the persisted state and says the count. */
  const counter: NamedFlow = {
    name: 'counter',
    run: async (ctx) => {
      const n = Number(ctx.state.flow?.answers.count ?? '0') + 1;
      ctx.state.flow = { name: 'counter', step: 'counting', answers: { count: String(n) } };
      ctx.reply(`message ${n}`);
    },
  };

  const job = (messageId: string, text = 'hello'): InboundJob => ({
    channel: 'webchat',
    messageId,
    conversationId: 'webchat.conv1',
    kind: 'text',
    text,
    sentAt: Date.now(),
    acceptedAt: Date.now(),
    screen: noConcern,
  });

  const replies = async (): Promise<string[]> => {
    const jobs = await outbound.getJobs(['waiting', 'prioritized']);
    return jobs
      .sort((a, b) => a.timestamp - b.timestamp || Number(a.id) - Number(b.id))
      .map((j) => (j.data as OutboundJob).message.text);
  };

  afterEach(async () => {
    await outbound.obliterate({ force: true });
    await cleanupPrefix(prefix);
  });
  afterAll(async () => {
    await outbound.close();
    await redis.quit();
  });

  it('gives the sender the privacy choices load gives, from the preferences alone when they are there', async () => {
    const others = [`${prefix}:other`];
    await redis.set(`${prefix}:other`, 'x');
    // Nothing stored: none, and the others still read.
    expect(await states.choicesWith('webchat.c1', others)).toEqual({ choices: null, others: ['x'] });
    const state = { ...newState(1000), optedOut: true, discreet: false };
    await states.save('webchat.c1', state);
    expect(await states.choicesWith('webchat.c1', others)).toEqual({
      choices: { optedOut: true, discreet: false },
      others: ['x'],
    });
    // The state gone (a member's links erased), the preferences answer, as load's do.
    await redis.del(keys.state('webchat.c1'));
    expect((await states.choicesWith('webchat.c1', others)).choices).toEqual({ optedOut: true, discreet: false });
    expect((await states.load('webchat.c1'))?.optedOut).toBe(true);
    // Preferences missing or unreadable (not yet saved): the state is read, as load reads it.
    await states.save('webchat.c2', { ...newState(1000), discreet: true });
    await redis.del(keys.prefs('webchat.c2'));
    expect((await states.choicesWith('webchat.c2', [])).choices).toMatchObject({ optedOut: false, discreet: true });
    await redis.set(keys.prefs('webchat.c2'), '{not json');
    expect((await states.choicesWith('webchat.c2', [])).choices).toMatchObject({ optedOut: false, discreet: true });
  });

  it('keeps conversation state across engine instances (any worker can take the next message)', async () => {
    await engineWith([counter]).handle(job('m1'));
    await engineWith([counter]).handle(job('m2'));
    expect(await replies()).toEqual(expect.arrayContaining(['message 1', 'message 2']));
    expect((await states.load('webchat.conv1'))?.flow?.answers.count).toBe('2');
  });

  it('takes one message at a time per conversation, so quick messages do not lose state', async () => {
    const engine = engineWith([counter]);
    await Promise.all(Array.from({ length: 10 }, (_, i) => engine.handle(job(`c${i}`))));
    expect((await states.load('webchat.conv1'))?.flow?.answers.count).toBe('10');
  });

  it('queues several replies to one message as one job, in order', async () => {
    const chatty: NamedFlow = {
      name: 'chatty',
      run: async (ctx) => {
        ctx.reply('first');
        ctx.reply('second');
      },
    };
    await engineWith([chatty]).handle(job('m1'));
    const jobs = await outbound.getJobs(['waiting', 'prioritized']);
    expect(jobs).toHaveLength(1);
    const data = jobs[0]!.data as OutboundJob;
    expect([data.message.text, ...(data.followUps ?? []).map((m) => m.text)]).toEqual(['first', 'second']);
  });

  it('answers a retried job only once', async () => {
    const engine = engineWith([counter]);
    await engine.handle(job('m1'));
    await engine.handle(job('m1'));
    expect(await replies()).toEqual(['message 1']);
  });

  it('goes on to the next flow when one throws, and the next message still works', async () => {
    const broken: NamedFlow = {
      name: 'broken',
      run: async () => {
        throw new Error('boom');
      },
    };
    const engine = engineWith([broken, counter]);
    await engine.handle(job('m1'));
    await engine.handle(job('m2'));
    expect((await replies()).sort()).toEqual(['message 1', 'message 2']);
  });

  it('fails a message as "conversation busy" while another holds its conversation, and answers it on the retry', async () => {
    // Another worker holds the conversation (and never lets go while this test looks): however fast
    // or slow the machine, the wait runs out.
    const lock = keys.custom('lock', 'webchat.conv1');
    await redis.set(lock, 'another worker', 'PX', 60_000);
    const engine = engineWith([counter], 200);
    await expect(engine.handle(job('busy-1'))).rejects.toThrow(/conversation busy/);
    // Nothing done: no reply, no state, not marked handled, and the other worker's lock untouched.
    expect(await replies()).toEqual([]);
    expect(await states.load('webchat.conv1')).toBeNull();
    expect(await redis.exists(keys.handled('webchat', 'busy-1'))).toBe(0);
    expect(await redis.get(lock)).toBe('another worker');
    // The other worker finishes; the queue's retry of the job is answered, once.
    await redis.del(lock);
    await engine.handle(job('busy-1'));
    await engine.handle(job('busy-1'));
    expect(await replies()).toEqual(['message 1']);
    expect(await redis.exists(lock)).toBe(0);
  });

  it('maps a typed number to the choice offered', async () => {
    let seen: string | undefined;
    const offer: NamedFlow = {
      name: 'offer',
      run: async (ctx) => {
        seen = ctx.input;
        ctx.reply('pick', [
          { title: 'Apples', payload: 'A' },
          { title: 'Pears', payload: 'P' },
        ]);
      },
    };
    const engine = engineWith([offer]);
    await engine.handle(job('m1', 'hi'));
    await engine.handle(job('m2', '2'));
    expect(seen).toBe('P');
    await engine.handle(job('m3', 'apples'));
    expect(seen).toBe('A');
  });
});
