import { CHANNELS, channelNames } from '../../src/adapters/registry';
import { loadConfig, ConfigError } from '../../src/config';
import { startHaven, type Haven } from '../../src/main';
import { loopbackChannel } from '../support/loopback-channel/channel';
import type { LoopbackAdapter } from '../support/loopback-channel';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/util';

// A new channel is its folder (tests/support/loopback-channel) plus one line in the list.
const withLoopback = [...CHANNELS, loopbackChannel];

const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', REDIS_URL };

describe('the channel registry', () => {
  it('is where channel names come from', () => {
    expect(channelNames()).toEqual(['webchat', 'botframework', 'messenger', 'whatsapp-cloud', 'whatsapp']);
    expect(channelNames(withLoopback)).toContain('loopback');
  });

  it("validates a registered channel's settings and what goes together", () => {
    expect(() => loadConfig({ ...base, LOOPBACK_TOKEN: 't' }, withLoopback)).toThrow(
      'LOOPBACK_SECRET: needed for the loopback test channel because LOOPBACK_TOKEN is set',
    );
    const err = (() => {
      try {
        loadConfig({ ...base, LOOPBACK_TOKEN: 't', LOOPBACK_SECRET: 'short' }, withLoopback);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['LOOPBACK_SECRET: must be at least 8 characters (got (hidden))']);
    // The registry's own channels are checked the same way.
    expect(() => loadConfig({ ...base, MESSENGER_APP_SECRET: 's' })).toThrow(
      'MESSENGER_VERIFY_TOKEN, MESSENGER_PAGE_ACCESS_TOKEN: needed for Messenger because MESSENGER_APP_SECRET is set',
    );
  });

  it('accepts staff identities only on registered channels', () => {
    expect(() => loadConfig({ ...base, SAFEGUARDING_ON_DUTY: 'loopback:staff1' })).toThrow(/SAFEGUARDING_ON_DUTY/);
    const config = loadConfig({ ...base, SAFEGUARDING_ON_DUTY: 'loopback:staff1' }, withLoopback);
    expect(config.SAFEGUARDING_ON_DUTY).toEqual(['loopback:staff1']);
  });

  describe('a Haven with the test-only channel registered', () => {
    let haven: Haven;
    const prefix = uniquePrefix('registry');
    beforeAll(async () => {
      const config = loadConfig(
        { ...base, REDIS_PREFIX: prefix, LOOPBACK_TOKEN: 'token', LOOPBACK_SECRET: 'a-long-secret' },
        withLoopback,
      );
      haven = await startHaven(config, { channels: withLoopback });
    });
    afterAll(async () => {
      await haven.stop();
      await cleanupPrefix(prefix);
    });

    it('runs it: a message in through its webhook is answered through its send', async () => {
      const adapter = haven.adapters.get('loopback') as LoopbackAdapter;
      expect(adapter.status()).toEqual({ channel: 'loopback', state: 'ready' });
      const post = (secret: string) =>
        fetch(`${haven.url}/webhooks/loopback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ secret, events: [{ id: 'm1', from: 'user-1', text: 'hello' }] }),
        });
      expect((await post('wrong-secret')).status).toBe(403);
      const res = await post('a-long-secret');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ queued: 1 });
      // The platform's retry of the same message is folded.
      expect(await (await post('a-long-secret')).json()).toEqual({ duplicate: 1 });
      const reply = await waitFor(() => adapter.sent.find((s) => s.user === 'user-1'), 30_000, 'a reply');
      expect(reply.purpose).toBe('response');
      expect(reply.text).toMatch(/Reply with a number:\n1\. /);
    });
  });
});
