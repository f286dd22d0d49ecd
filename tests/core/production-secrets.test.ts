import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';

const good = () => ({
  NODE_ENV: 'production',
  ID_HASH_SECRET: randomBytes(24).toString('base64url'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  SESSION_SECRET: randomBytes(32).toString('base64url'),
});

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('production refuses development, published and weak secrets', () => {
  it('accepts generated secrets', () => {
    expect(problems(good())).toEqual([]);
  });

  it.each([
    ['ID_HASH_SECRET', 'haven-development-only-secret-do-not-use-in-production'],
    ['SESSION_SECRET', 'haven-development-only-secret-do-not-use-in-production'],
    ['SESSION_SECRET', 'changeme-changeme-changeme-changeme'],
    ['SESSION_SECRET', 'a'.repeat(40)],
    ['SESSION_SECRET', 'abcd'.repeat(10)],
    ['ID_HASH_SECRET', '1234567812345678'],
    ['DATA_ENCRYPTION_KEY', '0'.repeat(64)],
    ['DATA_ENCRYPTION_KEY', '07'.repeat(32)],
    ['DATA_ENCRYPTION_KEY', '0102'.repeat(16)],
    ['DATA_ENCRYPTION_KEY', Buffer.alloc(32).toString('base64')],
  ])('refuses %s=%s', (name, value) => {
    expect(problems({ ...good(), [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('refuses the same secret for ids and sessions', () => {
    const env = good();
    expect(problems({ ...env, SESSION_SECRET: env.ID_HASH_SECRET + 'x'.repeat(8) })).toEqual([]);
    const same = randomBytes(32).toString('base64url');
    expect(problems({ ...env, ID_HASH_SECRET: same, SESSION_SECRET: same })).toEqual([
      'SESSION_SECRET: must differ from ID_HASH_SECRET',
    ]);
  });

  it('refuses webchat: staff identities in production, but not in development', () => {
    const env = { ...good(), SAFEGUARDING_ON_DUTY: 'webchat:abc,messenger:123' };
    expect(problems(env)).toEqual([
      expect.stringMatching(/^SAFEGUARDING_ON_DUTY: webchat: staff identities are refused/),
    ]);
    expect(problems({ ...env, NODE_ENV: 'development' })).toEqual([]);
  });
});
