// Integration tier: real kube-apiserver + etcd, Redis, MinIO, registry. One server set per test file, so
// files run one at a time to stay inside a 2-core machine.
module.exports = {
  ...require('./jest.base'), displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.{test,spec}.ts'],
  maxWorkers: 1, testTimeout: 120_000,
};
