import path from 'node:path';
import {
  BLIND_DIR,
  DATA_DIR,
  EVAL_DIR,
  evaluationFiles,
  readLabelled,
  readTrainingLines,
} from '../../scripts/screen/data';

describe('the screen trainer reads only data/safeguarding/train/', () => {
  it.each([EVAL_DIR, BLIND_DIR, DATA_DIR, path.join(EVAL_DIR, '..', 'eval')])('refuses %s', (dir) => {
    expect(() => readTrainingLines(dir)).toThrow(/reads only data\/safeguarding\/train\//);
  });

  it('no evaluation or blind line of two words or more is in the training data (by normalised text)', () => {
    const key = (t: string): string =>
      t
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ' ')
        .trim();
    const train = new Set(readTrainingLines().map((l) => key(l.text)));
    expect(train.size).toBeGreaterThan(2000);
    const files = evaluationFiles();
    expect(files.map(([name]) => name)).toEqual(
      expect.arrayContaining(['eval/blind2.jsonl', 'blind/own-2026-12.jsonl']),
    );
    const leaked = files.flatMap(([name, file]) =>
      readLabelled(file)
        .filter((l) => key(l.text).includes(' ') && train.has(key(l.text)))
        .map((l) => `${name}:${l.id}`),
    );
    expect(leaked).toEqual([]);
  });

  it('refuses a malformed line, naming the file and line', () => {
    expect(() => readLabelled(path.join(__dirname, 'data.test.ts'))).toThrow(/data\.test\.ts line 1: not JSON/);
  });
});
