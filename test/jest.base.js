// Shared jest settings for every tier. @kubernetes/client-node 1.x and a few of its dependencies ship only as
// ES modules; @swc/jest compiles those (and our TypeScript) to CommonJS. Everything else is loaded untouched.
const path = require('node:path');

const esmOnly = [
  '@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'jsep', '@jsep-plugin',
  'rfc4648', 'socks-proxy-agent', 'agent-base',
];

module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
    }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: { '^@keelson/([^/]+)$': '<rootDir>/libs/$1/src' },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // The console (apps/console) is browser code with its own runner: vitest (apps/console/vitest.config.mts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/console/'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
