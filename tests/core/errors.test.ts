import path from 'node:path';
import { errorFields, HavenError, WebhookError } from '../../src/common/errors';
import { readTree } from '../architecture/imports';

describe("Haven's errors", () => {
  it('every error class in src extends HavenError (directly or through another)', () => {
    const bases: string[] = [];
    for (const [file, text] of readTree(path.resolve(__dirname, '../..'), 'src'))
      for (const m of text.matchAll(/class (\w+) extends (\w+)/g))
        if (/Error$/.test(m[1] as string)) bases.push(`${file}: ${m[1]} extends ${m[2]}`);
    expect(bases.length).toBeGreaterThanOrEqual(15);
    expect(bases.filter((b) => / extends Error$/.test(b))).toEqual(['src/common/errors.ts: HavenError extends Error']);
  });

  it('a 404 or 410 from a webhook is permanent; other answers are retried', () => {
    expect(new WebhookError('alert webhook', 404).permanent).toBe(true);
    expect(new WebhookError('alert webhook', 410).permanent).toBe(true);
    expect(new WebhookError('alert webhook', 500).permanent).toBe(false);
    expect(new WebhookError('alert webhook', 429).permanent).toBe(false);
  });

  it('logs the same fields for any error: name, message, code, context, permanent', () => {
    expect(errorFields(new WebhookError('coordinator webhook', 410))).toEqual({
      name: 'WebhookError',
      message: 'coordinator webhook answered 410',
      code: 'WEBHOOK_FAILED',
      permanent: true,
      context: { webhook: 'coordinator webhook', status: 410 },
    });
    expect(errorFields(new HavenError('x', 'X'))).toEqual({ name: 'HavenError', message: 'x', code: 'X' });
    expect(errorFields(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(errorFields('a string')).toEqual({ name: 'NonError', message: 'a string' });
  });
});
