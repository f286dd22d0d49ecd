import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEETING_PLATFORMS, MEETING_PLATFORM_NAMES } from '../../src/common/meeting';
import {
  SafetyContentError,
  loadSafetyContent,
  sessionSafetyReminder,
  type SafetyContent,
} from '../../src/flows/online-safety/content';
import { fullReminder, refresherReminder, welcomeReminder } from '../../src/flows/online-safety/messages';
import { startHaven } from '../../src/main';
import { testConfig, uniquePrefix } from '../support/haven';

describe('online-safety content', () => {
  let dir: string;
  const bundled = loadSafetyContent();
  const copy = (): SafetyContent => JSON.parse(JSON.stringify(bundled)) as SafetyContent;
  const write = (name: string, body: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
    return path;
  };
  const problemsOf = (path: string): string[] => {
    try {
      loadSafetyContent(path);
    } catch (err) {
      expect(err).toBeInstanceOf(SafetyContentError);
      expect((err as SafetyContentError).name).toBe('SafetyContentError');
      expect((err as SafetyContentError).code).toBe('CONFIG_INVALID');
      return (err as SafetyContentError).problems;
    }
    throw new Error('the bad file was accepted');
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'haven-safety-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the policy: every point from the charity list is there', () => {
    const ids = [...bundled.full.points, ...(bundled.full.callPoints ?? []), ...bundled.full.groundRules].map(
      (p) => p.id,
    );
    for (const id of [
      'live',
      'personal-information',
      'strangers',
      'where-you-are',
      'no-recording',
      'tell-us',
      'respect',
      'confidentiality',
      'welcome',
      'no-assumptions',
      'language',
      'personal-space',
    ])
      expect(ids).toContain(id);
    const full = fullReminder(bundled);
    expect(full).toMatch(/screenshots/i);
    expect(full).toMatch(/don't record/i);
    expect(full).toMatch(/tell a youth worker/i);
  });

  it('keeps the welcome version to two or three short lines about personal information and strangers', () => {
    const lines = welcomeReminder(bundled).split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(welcomeReminder(bundled)).toMatch(/personal information/);
    expect(welcomeReminder(bundled)).toMatch(/people you don't know/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
  });

  it('builds the words for a Zoom session', () => {
    const text = sessionSafetyReminder(bundled, 'zoom');
    expect(text.split('\n')[0]).toContain('Zoom');
    expect(text).toContain(bundled.session.platforms.zoom.tip);
    for (const id of bundled.session.points) {
      const point = [...bundled.full.points, ...(bundled.full.callPoints ?? [])].find((p) => p.id === id);
      expect(text).toContain(point?.text);
    }
    expect(text).not.toContain('{platform}');
  });

  it('builds the words for a WhatsApp video session', () => {
    const text = sessionSafetyReminder(bundled, 'whatsapp');
    expect(text.split('\n')[0]).toContain('WhatsApp video');
    expect(text).toContain(bundled.session.platforms.whatsapp.tip);
    expect(text).toMatch(/screenshots/i);
    expect(text).not.toContain(bundled.session.platforms.zoom.tip);
  });

  it('has words for every meeting platform, each naming it', () => {
    for (const p of MEETING_PLATFORMS) expect(sessionSafetyReminder(bundled, p)).toContain(MEETING_PLATFORM_NAMES[p]);
  });

  it('uses a staff-edited file when given one', () => {
    const edited = copy();
    edited.session.platforms.zoom.tip = 'Use the link in your email from us.';
    edited.refresher.intro = 'Nice to see you again.';
    const content = loadSafetyContent(write('edited.json', edited));
    expect(sessionSafetyReminder(content, 'zoom')).toContain('Use the link in your email from us.');
    expect(refresherReminder(content).startsWith('Nice to see you again.')).toBe(true);
  });

  it('rejects a bad entry, naming it', () => {
    const bad = copy() as unknown as { full: { callPoints: { id: string; text: string }[] } };
    const i = bad.full.callPoints.findIndex((p) => p.id === 'no-recording');
    (bad.full.callPoints[i] as { text: string }).text = '   ';
    expect(problemsOf(write('empty.json', bad))).toEqual([
      `full.callPoints[${i}] (id "no-recording").text: must not be empty`,
    ]);
  });

  it('rejects a missing platform, a wall of text and an unknown placeholder, naming each', () => {
    const bad = copy() as unknown as Record<string, Record<string, unknown>>;
    delete (bad.session?.platforms as Record<string, unknown>).teams;
    (bad.welcome as { lines: string[] }).lines.push('a fourth line', 'and a fifth');
    (bad.session as { intro: string }).intro = 'Before {name} joins {platform}';
    const problems = problemsOf(write('many.json', bad));
    expect(problems).toEqual(
      expect.arrayContaining([
        'session.platforms.teams: is missing',
        expect.stringMatching(/^welcome\.lines: must have 2 or 3 lines/),
        expect.stringMatching(/^session\.intro: may only use the placeholder \{platform\}/),
      ]),
    );
  });

  it('rejects a reference to a point that does not exist and a repeated id', () => {
    const bad = copy();
    bad.session.points.push('no-such-point');
    bad.full.groundRules.push({ id: 'live', text: 'Again.' });
    const problems = problemsOf(write('refs.json', bad));
    expect(problems).toContain(
      `session.points[${bad.session.points.length - 1}]: "no-such-point" is not the id of any point in full`,
    );
    expect(problems).toContain(
      `full.groundRules[${bad.full.groundRules.length - 1}] (id "live").id: id "live" is used twice`,
    );
  });

  it('rejects a file that is not JSON or cannot be read', () => {
    expect(problemsOf(write('broken.json', '{"version": 1,'))[0]).toMatch(/^not valid JSON/);
    expect(problemsOf(join(dir, 'nope.json'))).toEqual(['cannot read the file: ENOENT']);
  });

  it('refuses to start Haven with a bad file, with a clear message', async () => {
    const bad = copy() as unknown as { full: { points: { id: string; text: string }[] } };
    (bad.full.points[0] as { text: string }).text = '';
    const path = write('start.json', bad);
    const config = testConfig(uniquePrefix('safety-start'), { SAFETY_CONTENT_PATH: path });
    await expect(startHaven(config, { workers: false })).rejects.toThrow(
      /online-safety content in .*start\.json is wrong:\n {2}- full\.points\[0\] \(id "personal-information"\)\.text: must not be empty/,
    );
  });
});
