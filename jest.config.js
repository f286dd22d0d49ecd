/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  // Two cores: two workers. Tests share the machine's Redis, each file on its own key prefix.
  maxWorkers: 2,
  testTimeout: 30000,
  transform: { '^.+\\.ts$': 'ts-jest' },
};
