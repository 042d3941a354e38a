// Every object of one project's data plane, as plain objects. Pure: the same input and credentials always give
// the same objects, which is what makes a second server-side apply change nothing.
import type { KubeObject } from '@keelson/kube';

import { DataPlaneCredentials, GENERATED_SECRETS } from './credentials';
import { DataPlaneInput, resolveDataPlaneInput, ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels, LABELS } from './data-plane.names';
import { desiredJenkins } from './jenkins.desired';
import { desiredMinio } from './minio.desired';
import { desiredNetworkPolicy } from './network-policy.desired';
import { secretObject } from './object-builders';
import { desiredBuildRoleBindings, desiredBuildServiceAccount } from './rbac.desired';
import { desiredRegistry, desiredRegistrySecrets } from './registry.desired';

export function desiredNamespace(input: ResolvedDataPlaneInput): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: input.namespace, labels: { ...commonLabels(input.project), [LABELS.component]: 'data-plane' } },
  };
}

/** The Secrets holding generated credentials (created once, then kept). */
export function desiredGeneratedSecrets(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  return GENERATED_SECRETS.map((s) => secretObject(input, s.name, s.type, (s.toData as (v: unknown) => Record<string, string>)(credentials[s.field])));
}

/**
 * Everything, in apply order: namespace, Secrets, ServiceAccounts and RBAC, config, storage, Services, workloads,
 * NetworkPolicy, and the build RoleBindings in the managed namespaces last. Resolving is idempotent, so an
 * already resolved input may be passed as well.
 */
export function desiredDataPlane(raw: DataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  const input = resolveDataPlaneInput(raw);
  return [
    desiredNamespace(input),
    ...desiredGeneratedSecrets(input, credentials),
    ...desiredRegistrySecrets(input, credentials),
    desiredBuildServiceAccount(input),
    ...desiredJenkins(input),
    ...desiredRegistry(input, credentials),
    ...desiredMinio(input),
    desiredNetworkPolicy(input),
    ...desiredBuildRoleBindings(input),
  ];
}
