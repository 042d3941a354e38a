// End-to-end tier: the whole cluster (scheduler, controller-manager, KWOK nodes) and the manager.
module.exports = {
  ...require('./jest.base'), displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  maxWorkers: 1, testTimeout: 300_000,
};
