import path from 'node:path';
import { cycles, importsOf, readTree, violations } from './imports';

const ROOT = path.resolve(__dirname, '../..');

describe('the shape of the house', () => {
  const edges = importsOf(readTree(ROOT, 'src'));

  it('reads the imports of the real tree', () => {
    // A reader that found nothing would pass every check below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/engine/engine.ts', to: 'src/engine/flow.ts' }));
  });

  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('keeps every layer rule', () => {
    expect(violations(edges)).toEqual([]);
  });

  describe('the checks fail when the rules are broken', () => {
    const real = readTree(ROOT, 'src');

    it('a flow importing config', () => {
      const tree = new Map(real);
      tree.set(
        'src/flows/help/help.ts',
        `import { loadConfig } from '../../config';\n${real.get('src/flows/help/help.ts')}`,
      );
      expect(violations(importsOf(tree))).toEqual([
        'src/flows/help/help.ts -> src/config/index.ts (flows see a context and ports, never a platform, config, HTTP or Redis)',
      ]);
    });

    it('the engine importing Fastify or an adapter', () => {
      const tree = new Map(real);
      tree.set(
        'src/engine/engine.ts',
        `import type { FastifyInstance } from 'fastify';\nimport { MESSENGER_CODES } from '../adapters/messenger/adapter';\n${real.get('src/engine/engine.ts')}`,
      );
      expect(violations(importsOf(tree))).toHaveLength(2);
    });

    it('an adapter importing a flow', () => {
      const tree = new Map(real);
      tree.set('src/adapters/messenger/profile.ts', `import { MENU } from '../../flows/help/help';\n`);
      expect(violations(importsOf(tree))).toEqual([expect.stringContaining('channels never import flows')]);
    });

    it('an import cycle, type-only imports included', () => {
      const tree = new Map(real);
      tree.set('src/common/held.ts', `import type { HavenError } from './errors';\n${real.get('src/common/held.ts')}`);
      tree.set('src/common/errors.ts', `import { deleteIfHeld } from './held';\n${real.get('src/common/errors.ts')}`);
      expect(cycles(importsOf(tree))).toEqual([['src/common/errors.ts', 'src/common/held.ts']]);
    });
  });
});
