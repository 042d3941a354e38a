// Every object of one project's data plane, as plain objects. Pure: the same input and credentials always give
// the same objects, which is what makes a second server-side apply change nothing.
import type { KubeObject } from '@keelson/kube';

import { DataPlaneCredentials, GENERATED_SECRETS } from './credentials';
import { DataPlaneInput, resolveDataPlaneInput, ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels, LABELS, PodSecurityLevel } from './data-plane.names';
import { desiredJenkins } from './jenkins.desired';
import { desiredManagerRoleBindings } from './manager-access.desired';
import { desiredMinio } from './minio.desired';
import { desiredBuildNetworkPolicies, desiredDataPlaneNetworkPolicies } from './network-policy.desired';
import { secretObject } from './object-builders';
import { desiredBuildRoleBindings, desiredBuildServiceAccount, desiredDeployClusterRole } from './rbac.desired';
import { desiredRegistry, desiredRegistrySecrets } from './registry.desired';

/** Pod Security Admission enforces `level` on every pod of the namespace, and warns and audits at the same level. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return Object.fromEntries(['enforce', 'warn', 'audit'].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, level],
    [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
  ]));
}

/**
 * `<project>-pipeline` runs only our own pods, which pass `restricted`. `<project>-builds` runs the tenant's
 * steps: `baseline` (no privileged containers, host namespaces or hostPath), `privileged` only when the operator
 * listed the project.
 */
export function desiredNamespaces(input: ResolvedDataPlaneInput): KubeObject[] {
  const namespace = (name: string, component: string, level: PodSecurityLevel): KubeObject => ({
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, labels: { ...commonLabels(input.project), [LABELS.component]: component, ...podSecurityLabels(level) } },
  });
  return [
    namespace(input.namespace, 'data-plane', 'restricted'),
    namespace(input.buildNamespace, 'builds', input.allowPrivileged ? 'privileged' : 'baseline'),
  ];
}

/** The Secrets holding generated credentials (created once, then kept). */
export function desiredGeneratedSecrets(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  return GENERATED_SECRETS.map((s) => secretObject(input, s.name, s.type, (s.toData as (v: unknown) => Record<string, string>)(credentials[s.field])));
}

/**
 * Everything, in apply order: both namespaces, the manager's own RoleBindings there (with managerAccess), NetworkPolicies (the builds namespace is closed before anything
 * runs in it), Secrets, ServiceAccounts and RBAC, config, storage, Services, workloads, and last the deploy
 * ClusterRole and the build RoleBindings that bind it in the managed namespaces. Resolving is idempotent, so an
 * already resolved input may be passed as well.
 */
export function desiredDataPlane(raw: DataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  const input = resolveDataPlaneInput(raw);
  return [
    ...desiredNamespaces(input),
    ...desiredManagerRoleBindings(input),
    ...desiredBuildNetworkPolicies(input),
    ...desiredDataPlaneNetworkPolicies(input),
    ...desiredGeneratedSecrets(input, credentials),
    ...desiredRegistrySecrets(input, credentials),
    desiredBuildServiceAccount(input),
    ...desiredJenkins(input),
    ...desiredRegistry(input, credentials),
    ...desiredMinio(input),
    // Only when no role was named: a named one (the chart's) is the operator's to maintain.
    ...(input.appliesDeployClusterRole ? [desiredDeployClusterRole()] : []),
    ...desiredBuildRoleBindings(input),
  ];
}
