// Builders for tests: an input with sensible defaults and a fixed set of credentials.
import type { PipelineSettingSpec } from '@keelson/crds';

import type { DataPlaneCredentials } from '../credentials';
import type { DataPlaneInput } from '../data-plane.input';
import { registryDnsNames } from '../data-plane.names';
import { generateRegistryTls, RegistryTls } from '../registry-tls';

export function aSetting(overrides: Partial<PipelineSettingSpec> = {}): PipelineSettingSpec {
  return { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, allowPrivileged: false, ...overrides };
}

export function aDataPlaneInput(overrides: Partial<DataPlaneInput> = {}): DataPlaneInput {
  const project = overrides.project ?? 'team-a';
  return { project, setting: aSetting(), managedNamespaces: [project], managerNamespace: 'keelson-system', ...overrides };
}

const tlsCache = new Map<string, RegistryTls>();

/** A real (cached) certificate for the namespace's registry, so tests stay fast. */
export function aRegistryTls(namespace: string, now = new Date('2026-01-01T00:00:00Z')): RegistryTls {
  const key = `${namespace}@${now.toISOString()}`;
  if (!tlsCache.has(key)) tlsCache.set(key, generateRegistryTls(`registry.${namespace}.svc`, registryDnsNames(namespace), now));
  return tlsCache.get(key) as RegistryTls;
}

export function someCredentials(namespace = 'team-a-pipeline'): DataPlaneCredentials {
  return {
    jenkinsAdmin: { username: 'admin', password: 'jenkins-password-1' },
    minioRoot: { username: 'keelson-root', password: 'minio-password-1' },
    registryAuth: { username: 'keelson', password: 'registry-password-1', htpasswd: 'keelson:$2b$10$abcdefghijklmnopqrstuv\n' },
    registryPull: { username: 'keelson-pull', password: 'registry-pull-password-1', htpasswd: 'keelson-pull:$2b$10$zyxwvutsrqponmlkjihgfe\n' },
    registryTls: aRegistryTls(namespace),
  };
}
