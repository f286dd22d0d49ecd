import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Redis from 'ioredis';
import { exportScreenFeedback } from '../../src/cli/screen-feedback';
import { AlertStore } from '../../src/domain/alerts/store';
import { Keys } from '../../src/engine/keys';
import { readLabelled } from '../../scripts/screen/data';
import { cleanupPrefix, REDIS_URL, uniquePrefix } from '../support/redis';

describe('staff feedback on the screen, exported for the next training run', () => {
  const prefix = uniquePrefix('sg-feedback');
  const redis = new Redis(REDIS_URL);
  const store = new AlertStore(redis, new Keys(prefix));
  afterAll(async () => {
    await cleanupPrefix(prefix);
    await redis.quit();
  });

  const raise = (text: string, at: number) =>
    store.create({
      category: 'suicide',
      severity: 'high',
      text,
      matched: ['model.suicide', 'model.score:0.71'],
      channel: 'webchat',
      conversationId: `webchat:${text.length}`,
      createdAt: at,
    });

  it('records the verdict in the alert and its record, and exports labelled lines in the training shape', async () => {
    const { alert: a } = await raise('this homework is killing me honestly', 1000);
    const { alert: b } = await raise('my stepdad hits me', 2000);
    await raise('no feedback on this one', 3000);
    await store.setFeedback(a.id, { verdict: 'not_concern', by: 'Lee', at: 5000 });
    await store.setFeedback(b.id, { verdict: 'wrong_category', category: 'abuse_physical', by: 'Lee', at: 6000 });

    expect((await store.get(a.id))?.feedback).toEqual({ verdict: 'not_concern', by: 'Lee', at: 5000 });
    const history = await store.history(b.id);
    expect(history.at(-1)).toMatchObject({
      event: 'feedback',
      by: 'Lee',
      detail: 'wrong category: suicide → abuse_physical',
    });

    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    expect(await exportScreenFeedback(store, out)).toBe(2);
    const dir = mkdtempSync(path.join(tmpdir(), 'feedback-'));
    try {
      const file = path.join(dir, 'feedback.jsonl');
      writeFileSync(file, text);
      // The trainer's own reader accepts them.
      expect(readLabelled(file)).toEqual([
        { id: `feedback-${a.id}`, text: 'this homework is killing me honestly', alert: false, category: null },
        { id: `feedback-${b.id}`, text: 'my stepdad hits me', alert: true, category: 'abuse_physical' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
