// Builders for compiler inputs: a `.devops.yml` text goes through the real parser, so tests exercise the
// model exactly as the manager will hand it over.
import { loadPipelineConfig, type PipelineConfig } from '@keelson/pipeline-config';

import type { BuildSettings, JenkinsCompileInput, JenkinsExecutionFacts, RecentNode } from '../compile-input.types';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export const MINIMAL_YAML = `
stages:
- name: test
  steps:
  - runScriptConfig: {image: 'golang:1.22', shellScript: go test ./...}
`;

export function aConfig(yaml = MINIMAL_YAML): PipelineConfig {
  return loadPipelineConfig(yaml);
}

export function someFacts(overrides: Partial<JenkinsExecutionFacts> = {}): JenkinsExecutionFacts {
  return {
    event: 'push',
    commit: COMMIT,
    branch: 'main',
    ref: 'refs/heads/main',
    runNumber: 12,
    executionId: 'web-12',
    pipeline: 'web',
    project: 'team-a',
    gitUrl: 'https://git.example.com/team-a/web.git',
    localRegistry: 'registry.team-a-pipeline.svc:5000',
    triggerType: 'webhook',
    commitMessage: 'Make the tests pass\n\nLonger body.',
    ...overrides,
  };
}

export function someSettings(overrides: Partial<BuildSettings> = {}): BuildSettings {
  return {
    namespace: 'team-a-builds',
    serviceAccountName: 'keelson-build',
    cacheRoot: '/var/lib/keelson/cache',
    allowPrivileged: false,
    envSecret: 'web-12-env',
    agentResources: { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
    registry: { credentialsSecret: 'registry-push', caSecret: 'registry-ca' },
    gitCredentialsId: 'web-12-git',
    approvalSubmitter: 'keelson-manager',
    ...overrides,
  };
}

export function someRecentNodes(): RecentNode[] {
  return [
    { name: 'node-b', lastUsed: '2026-11-22T10:00:00Z' },
    { name: 'node-a', lastUsed: '2026-11-23T09:00:00Z' },
  ];
}

export function aCompileInput(
  yaml = MINIMAL_YAML,
  overrides: { facts?: Partial<JenkinsExecutionFacts>; settings?: Partial<BuildSettings>; recentNodes?: RecentNode[] } = {},
): JenkinsCompileInput {
  return {
    config: aConfig(yaml),
    facts: someFacts(overrides.facts),
    settings: someSettings(overrides.settings),
    recentNodes: overrides.recentNodes ?? someRecentNodes(),
  };
}
