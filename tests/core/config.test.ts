import { ConfigError, loadConfig } from '../../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('settings', () => {
  it('has the documented defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.WHATSAPP_ENABLED).toBe(false);
    expect(c.PUPPETEER_EXECUTABLE_PATH).toBe('/usr/bin/chromium');
    expect(c.MESSENGER_API_URL).toMatch(/^https:\/\/graph\.facebook\.com\/v\d+\.\d+$/);
    expect(c.WHATSAPP_CLOUD_API_URL).toMatch(/^https:\/\/graph\.facebook\.com\/v\d+\.\d+$/);
    expect(c.ALERT_WEBHOOK_URL).toBeUndefined();
    expect(c.STATE_TTL_DAYS).toBe(30);
    expect(c.ESCALATION_MINUTES).toBe(10);
    expect(c.ESCALATION_URGENT_MINUTES).toBe(2);
  });

  it('names every wrong setting in one error', () => {
    const p = problems({
      PORT: 'eighty',
      REDIS_URL: 'http://localhost:6379',
      WHATSAPP_ENABLED: 'maybe',
      ALERT_WEBHOOK_URL: 'not a url',
      OFFICE_HOURS: '9 to 5',
      TIMEZONE: 'Mars/Olympus',
      SAFEGUARDING_ON_DUTY: 'bob',
    });
    const names = p.map((x) => x.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'REDIS_URL',
        'WHATSAPP_ENABLED',
        'ALERT_WEBHOOK_URL',
        'OFFICE_HOURS',
        'TIMEZONE',
        'SAFEGUARDING_ON_DUTY.0',
      ]),
    );
    expect(p).toHaveLength(7);
  });

  it('lists a wrong value and a missing partner setting in the same error', () => {
    const p = problems({ PORT: 'abc', MESSENGER_APP_SECRET: 's3cret', NODE_ENV: 'production' });
    const names = p.map((x) => x.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'MESSENGER_VERIFY_TOKEN, MESSENGER_PAGE_ACCESS_TOKEN',
        'ID_HASH_SECRET',
        'DATA_ENCRYPTION_KEY',
        'SESSION_SECRET',
      ]),
    );
    expect(p).toHaveLength(5);
  });

  it('trusts a proxy only when told to', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    // `true` is one proxy (a hop count): never "trust every X-Forwarded-For entry".
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(problems({ TRUST_PROXY: 'yes please' })[0]).toMatch(/^TRUST_PROXY:/);
  });

  it('names the missing half of a channel', () => {
    const p = problems({ MESSENGER_APP_SECRET: 's3cret' });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('MESSENGER_VERIFY_TOKEN');
    expect(p[0]).toContain('MESSENGER_PAGE_ACCESS_TOKEN');
  });

  it('refuses development keys in production', () => {
    const p = problems({ NODE_ENV: 'production' });
    expect(p.join('\n')).toMatch(/ID_HASH_SECRET/);
    expect(p.join('\n')).toMatch(/DATA_ENCRYPTION_KEY/);
    expect(p.join('\n')).toMatch(/SESSION_SECRET/);
  });

  it('never echoes a secret in the error', () => {
    const p = problems({ DATA_ENCRYPTION_KEY: 'short-secret-value' });
    expect(p.join('\n')).toContain('DATA_ENCRYPTION_KEY');
    expect(p.join('\n')).not.toContain('short-secret-value');
  });

  it('treats empty strings as unset (as docker-compose passes them)', () => {
    expect(loadConfig({ ALERT_WEBHOOK_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('parses identity lists', () => {
    const c = loadConfig({ SAFEGUARDING_ON_DUTY: 'messenger:123, webchat:abc' });
    expect(c.SAFEGUARDING_ON_DUTY).toEqual(['messenger:123', 'webchat:abc']);
  });
});
