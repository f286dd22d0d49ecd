/**
 * A few current dependencies ship as ES modules only (content-disposition 3 under @fastify/static,
 * cookie 2 under light-my-request). Node 20.19+ can require() them; jest's module registry cannot,
 * so jest compiles just those to CommonJS.
 */
const esmOnly = ['content-disposition', 'cookie'];

/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  // Two cores: two workers. Tests share the machine's Redis, each file on its own key prefix.
  maxWorkers: 2,
  // Generous: some tests start whole Haven processes, slow on a busy 2-core machine.
  testTimeout: 90000,
  transform: {
    '^.+\\.ts$': 'ts-jest',
    [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
