import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScreen, loadLexicon, LexiconError, parseLexicon } from '../../src/safeguarding';

const base = {
  version: 1,
  groups: { self: ['myself', 'meself'] },
  entries: [{ id: 'suicide.kill_self', category: 'suicide', severity: 'high', patterns: ['kill @self'] }],
};

function withEntry(entry: object): unknown {
  return { ...base, entries: [...base.entries, entry] };
}

describe('lexicon loader', () => {
  it('loads the bundled lexicon', () => {
    const lexicon = loadLexicon();
    expect(lexicon.entries.length).toBeGreaterThan(50);
  });

  it('loads a staff-edited file from a path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lexicon-'));
    const file = path.join(dir, 'lexicon.json');
    writeFileSync(
      file,
      JSON.stringify(
        withEntry({ id: 'suicide.custom', category: 'suicide', severity: 'urgent', patterns: ['big+sleep'] }),
      ),
    );
    const screen = createScreen(loadLexicon(file));
    expect(screen.screen('i want the big sleep')).toMatchObject({ alert: true, severity: 'urgent' });
    expect(screen.screen('kill meself')).toMatchObject({ alert: true, matched: ['suicide.kill_self'] });
  });

  it.each([
    [
      { id: 'x.bad', category: 'suicide', severity: 'high', patterns: ['kill ~99 myself'] },
      /entry 1 .*"x\.bad".*kill ~99 myself.*~1 to ~8/,
    ],
    [
      { id: 'x.bad', category: 'suicide', severity: 'high', patterns: ['@nope myself'] },
      /entry 1 .*unknown group "@nope"/,
    ],
    [
      { id: 'x.bad', category: 'not_a_category', severity: 'high', patterns: ['x'] },
      /entry 1 \(id "x\.bad", term "x"\) field "category"/,
    ],
    [
      { id: 'x.bad', category: 'suicide', severity: 'high', patterns: ["don't"] },
      /entry 1 .*term "don't".*not a single normalised token/,
    ],
    [{ id: 'x.bad', category: 'suicide', patterns: ['word'] }, /entry 1 .*needs a "severity"/],
    [{ id: 'suicide.kill_self', category: 'suicide', severity: 'high', patterns: ['word'] }, /entry 1 .*duplicate id/],
    [{ id: 'x.bad', category: 'suicide', severity: 'high', patterns: [] }, /entry 1 .*field "patterns".*at least one/],
    [{ id: 'x.bad', category: 'suicide', severity: 'high', patterns: ['~2 word'] }, /cannot start a pattern/],
    [{ id: 'x.bad', category: 'suicide', severity: 'high', patterns: ['(a|b)+'] }, /entry 1 .*term "\(a\|b\)\+"/],
    [{ id: 'x.bad', kind: 'present', next: true, patterns: ['word'] }, /entry 1 .*"next" is only for context entries/],
    [
      { id: 'x.bad', kind: 'helped', categories: ['suicide'], patterns: ['word'] },
      /entry 1 .*"categories" is only for mask, escalate and context entries/,
    ],
  ])('rejects a bad entry with a message naming it: %j', (entry, message) => {
    expect(() => parseLexicon(withEntry(entry), 'test.json')).toThrow(LexiconError);
    expect(() => parseLexicon(withEntry(entry), 'test.json')).toThrow(message);
  });

  it('rejects a file that is not JSON, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lexicon-'));
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "version": 1, ');
    expect(() => loadLexicon(file)).toThrow(/broken\.json is not valid JSON/);
  });

  it('rejects a missing file', () => {
    expect(() => loadLexicon('/nonexistent/lexicon.json')).toThrow(/Cannot read safeguarding lexicon/);
  });
});
