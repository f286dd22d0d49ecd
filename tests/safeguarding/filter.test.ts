import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { defaultScreen, runScreenFilter } from '../../src/safeguarding';
import { resultLine } from '../../src/safeguarding/filter';

async function runFilter(input: string): Promise<{ code: number; lines: string[] }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const done = runScreenFilter(stdin, stdout, defaultScreen());
  stdin.end(input);
  const code = await done;
  const text = Buffer.concat(chunks).toString('utf8');
  return { code, lines: text.split('\n').filter((l) => l !== '') };
}

describe('haven screen filter', () => {
  it('writes each result exactly as JSON.stringify of {alert, category, severity, matched} would', () => {
    const results = [
      defaultScreen().screen('hi'),
      defaultScreen().screen('i want to kill myself tonight'),
      defaultScreen().screen('my step dad keeps coming in my room at night and i hate it so much'),
      { alert: true, category: 'suicide', severity: 'high', matched: ['odd "id" \\ with \n'] } as const,
      { alert: false, category: null, severity: null, matched: [] },
    ];
    for (const r of results) {
      const { alert, category, severity, matched } = r;
      expect(resultLine({ ...r, matched: [...matched] })).toBe(JSON.stringify({ alert, category, severity, matched }));
    }
  });

  it('writes one line per input, in order, with the contract keys in order', async () => {
    const { code, lines } = await runFilter(
      [
        JSON.stringify({ text: 'what time is group' }),
        JSON.stringify({ text: 'i want to kill myself' }),
        JSON.stringify({ text: 'my dad hits me', extra: 1 }),
      ].join('\n') + '\n',
    );
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('{"alert":false,"category":null,"severity":null,"matched":[]}');
    const second = JSON.parse(lines[1] as string) as Record<string, unknown>;
    expect(Object.keys(second)).toEqual(['alert', 'category', 'severity', 'matched']);
    expect(second).toMatchObject({ alert: true, category: 'suicide', severity: 'high' });
    expect(JSON.parse(lines[2] as string)).toMatchObject({ alert: true, category: 'abuse_physical' });
  });

  it('answers bad lines with an error line, carries on, and returns 1', async () => {
    const { code, lines } = await runFilter(
      [
        '{"text": "hello"}',
        'not json',
        '{"message": "no text"}',
        '{"text": 42}',
        '',
        '   ',
        '["text"]',
        'null',
        '{"text": "i want to die"}',
      ].join('\r\n'),
    );
    expect(code).toBe(1);
    expect(lines).toHaveLength(9);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ alert: false });
    for (const i of [1, 2, 3, 4, 5, 6, 7]) {
      expect(Object.keys(parsed[i] as object)).toEqual(['error']);
      expect(typeof parsed[i]?.error).toBe('string');
    }
    expect(parsed[8]).toMatchObject({ alert: true, category: 'suicide' });
  });

  it('splits lines as readline does: \\n, \\r\\n or a lone \\r, across chunk boundaries, a last line without an ending', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const done = runScreenFilter(stdin, stdout, defaultScreen());
    const input = Buffer.from(
      '{"text":"hi"}\r{"text":"caf\u00e9 \ud83d\ude02"}\r\n\r\n{"text":"i want to die"}\r',
      'utf8',
    );
    // One byte at a time: a line, a CR LF pair and a multi-byte character are all cut across chunks.
    for (const byte of input) {
      stdin.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    stdin.end('\n{"text":"see you at group"}');
    const code = await done;
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(code).toBe(1);
    expect(lines.map((l) => Object.keys(JSON.parse(l) as object)[0])).toEqual([
      'alert',
      'alert',
      'error',
      'alert',
      'alert',
    ]);
    expect(JSON.parse(lines[3] as string)).toMatchObject({ alert: true, category: 'suicide' });
  });

  it('returns 0 for empty input', async () => {
    expect(await runFilter('')).toEqual({ code: 0, lines: [] });
  });

  it('answers a line as soon as it is read, without waiting for more input (as when typed by hand)', async () => {
    const stdin = new PassThrough();
    const out = new PassThrough();
    const done = runScreenFilter(stdin, out, defaultScreen());
    stdin.write(JSON.stringify({ text: 'hi' }) + '\n');
    const first = await new Promise<string>((resolve) => out.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    expect(JSON.parse(first)).toMatchObject({ alert: false });
    stdin.end();
    expect(await done).toBe(0);
  });

  it('waits for drain when the output pushes back, and keeps every line', async () => {
    const stdin = new PassThrough();
    const received: string[] = [];
    let queued = 0;
    const slow: Writable = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, callback) {
        received.push(chunk.toString('utf8'));
        queued = Math.max(queued, slow.writableLength);
        setImmediate(callback);
      },
    });
    const n = 5000;
    const done = runScreenFilter(stdin, slow, defaultScreen());
    for (let i = 0; i < n; i++) stdin.write(JSON.stringify({ text: i % 2 ? 'i want to die' : 'hi' }) + '\n');
    stdin.end();
    expect(await done).toBe(0);
    await new Promise((r) => slow.end(r));
    const lines = received.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(n);
    expect(lines.every((l, i) => JSON.parse(l).alert === (i % 2 === 1))).toBe(true);
    // About 350 KB of answers, never more than one batch (64 KB and a line) waiting in the slow output.
    expect(received.join('').length).toBeGreaterThan(300_000);
    expect(queued).toBeLessThanOrEqual(64 * 1024 + 200);
  });

  const cli = path.resolve(__dirname, '../../src/cli.ts');
  const hasScreenCommand = existsSync(cli) && /\bscreen\b/.test(readFileSync(cli, 'utf8') + readCommands());
  (hasScreenCommand ? it : it.skip)('works as `tsx src/cli.ts screen` in a child process', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/cli.ts', 'screen'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.stdin.end('{"text":"mum wont wake up"}\nbroken\n{"text":"see you at group"}\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = out.split('\n').filter(Boolean);
    expect({ code, lines: lines.length, err: code === 1 ? '' : err }).toEqual({ code: 1, lines: 3, err: '' });
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      alert: true,
      category: 'neglect_danger',
      severity: 'urgent',
    });
    expect(Object.keys(JSON.parse(lines[1] as string) as object)).toEqual(['error']);
    expect(JSON.parse(lines[2] as string)).toEqual({ alert: false, category: null, severity: null, matched: [] });
  });
});

function readCommands(): string {
  const file = path.resolve(__dirname, '../../src/cli/commands.ts');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
