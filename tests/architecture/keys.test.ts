import path from 'node:path';
import { readTree } from './imports';

/** Files that build a Redis key through `Keys.custom` but are not a keys file. */
function keysBuiltOutsideKeysFiles(tree: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of tree) {
    if (file.endsWith('/keys.ts')) continue;
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    if (/\.custom\(/.test(code)) out.push(file);
  }
  return out.sort();
}

describe('Redis keys', () => {
  const tree = readTree(path.resolve(__dirname, '../..'), 'src');

  it("are built only in src/engine/keys.ts or in the owning module's own keys.ts", () => {
    expect(keysBuiltOutsideKeysFiles(tree)).toEqual([]);
    const keysFiles = [...tree.keys()].filter((f) => f.endsWith('/keys.ts')).sort();
    expect(keysFiles).toEqual([
      'src/adapters/kit/keys.ts',
      'src/domain/alerts/keys.ts',
      'src/domain/conversations/keys.ts',
      'src/domain/groups/keys.ts',
      'src/domain/members/keys.ts',
      'src/domain/requests/keys.ts',
      'src/engine/keys.ts',
      'src/staff/keys.ts',
    ]);
  });

  it('the check fails when a module builds a key of its own elsewhere', () => {
    const broken = new Map(tree);
    broken.set(
      'src/domain/privacy/retention.ts',
      `${tree.get('src/domain/privacy/retention.ts')}\nconst k = (keys: Keys) => keys.custom('reqs', 'all');\n`,
    );
    expect(keysBuiltOutsideKeysFiles(broken)).toEqual(['src/domain/privacy/retention.ts']);
  });
});
