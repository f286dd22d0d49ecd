import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { LuaScript } from '../../src/common/script';
import { deleteIfHeld } from '../../src/common/held';
import { StateStore } from '../../src/engine/state';
import { startConversation } from '../support/conversation';
import { startTestHaven, waitFor } from '../support/haven';

/**
 * Put in front of a script: fails it on any key it touches that is not in KEYS. Commands that take
 * several keys (DEL, EXISTS, MGET...) have every argument checked, PUBLISH none (its channel is not a
 * key), the others their first (the key of every other command Haven's scripts use).
 */
const KEYS_GUARD = `
local declared = {}
for _, k in ipairs(KEYS) do declared[k] = true end
local everyArgument = {del = true, exists = true, mget = true, unlink = true, touch = true}
local noKey = {publish = true}
local real = redis
local redis = setmetatable({
  call = function(command, ...)
    local args = {...}
    local keys = noKey[string.lower(command)] and 0 or everyArgument[string.lower(command)] and #args or 1
    for i = 1, keys do
      if not declared[args[i]] then error({err = 'undeclared key ' .. tostring(args[i]) .. ' (' .. command .. ')'}) end
    end
    return real.call(command, ...)
  end,
}, {__index = real})
`;

/** The scripts made in src/ (each `new LuaScript(` is one). */
function scriptsInSource(): number {
  const root = path.resolve(__dirname, '../../src');
  let n = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) n += (readFileSync(p, 'utf8').match(/new LuaScript\(/g) ?? []).length;
    }
  };
  walk(root);
  return n;
}

/**
 * Every Lua script Haven runs names every key it reads or writes in KEYS: what lets a Redis Cluster
 * route it, and what spreading Haven's keys over more than one slot would rely on. Each script runs
 * through its real callers (a conversation, a member's, alerts from both, an acknowledgement) with
 * {@link KEYS_GUARD} in front.
 */
describe('Lua scripts declare every key they touch', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const ran = new Set<string>();
  const failures: string[] = [];

  beforeAll(async () => {
    jest.spyOn(LuaScript.prototype, 'run').mockImplementation(async function (
      this: LuaScript,
      redis: Redis,
      numKeys: number,
      ...args
    ) {
      ran.add(this.source);
      try {
        return await redis.eval(KEYS_GUARD + this.source, numKeys, ...args);
      } catch (err) {
        // Some callers swallow a failure (expiring finished jobs): it is noted here first.
        failures.push(`${(err as Error).message}\n${this.source.trim().split('\n')[0]}`);
        throw err;
      }
    });
    haven = await startTestHaven('script-keys', { SAFEGUARDING_ON_DUTY: 'webchat:script-keys-staff' });
  });
  afterAll(async () => {
    await haven?.shutdown();
    jest.restoreAllMocks();
  });

  it('the guard fails a script that reads a key built from ARGV', async () => {
    // How the member lookup read the member's record before: its key built inside the script.
    const built = `local id = redis.call('get', KEYS[1])\nif not id then return nil end\nreturn redis.call('get', ARGV[1] .. id)`;
    const link = haven.keys.custom('memberlink', 'guard-test');
    await haven.redis.set(link, 'someone');
    await expect(haven.redis.eval(KEYS_GUARD + built, 1, link, haven.keys.custom('member', ''))).rejects.toThrow(
      /undeclared key .*member:someone \(get\)/,
    );
    await expect(
      haven.redis.eval(KEYS_GUARD + `return redis.call('exists', KEYS[1], 'other')`, 1, link),
    ).rejects.toThrow(/undeclared key other \(exists\)/);
  });

  it('through a conversation, a member, alerts for both and an acknowledgement', async () => {
    const stranger = await startConversation(haven);
    await stranger.send('hi');
    await stranger.expectReply(/Haven/);
    const { joinCode } = await haven.members.add({ name: 'Rowan', consentBy: 'Jo', addedBy: 'test' });
    const member = await startConversation(haven);
    await member.send(`join ${joinCode}`);
    await member.expectReply(/Rowan/);
    await member.send('hi');
    await member.expectReply(/Haven/);
    await member.send('my stepdad hits me');
    await member.expectReply(/0800 1111/);
    await stranger.send('my stepdad hits me');
    await stranger.expectReply(/0800 1111/);
    const alerts = (await haven.alerts.store.list()).filter((a) => a.text === 'my stepdad hits me');
    expect(alerts.map((a) => a.memberName ?? null).sort()).toEqual(['Rowan', null]);
    for (const a of alerts) expect(await haven.alerts.acknowledge(a.id, 'test')).not.toBeNull();
    expect(await haven.members.forConversation(member.conversationId, 'an-id-the-link-held-before')).toMatchObject({
      name: 'Rowan',
    });
    // The two not on that path: a state saved on its own, and a claim let go.
    await new StateStore(haven.redis, haven.keys, 60).save(stranger.conversationId, {
      v: 1,
      firstSeenAt: 1,
      lastSeenAt: 1,
      sent: {},
      optedOut: false,
      discreet: false,
    });
    const held = haven.keys.custom('script-keys', 'held');
    await haven.redis.set(held, 'token');
    await deleteIfHeld(haven.redis, held, 'token');
    expect(await haven.redis.exists(held)).toBe(0);

    // Finished jobs are given their TTL a moment after they finish (a script whose failure is swallowed).
    await waitFor(async () => ran.size >= scriptsInSource(), 10_000, 'every script in src/ to have run');
    expect(failures).toEqual([]);
    expect(ran.size).toBe(scriptsInSource());
  });
});
