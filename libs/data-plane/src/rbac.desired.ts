// The build ServiceAccount. It is not the Jenkins one (Jenkins can create pods; builds must not), it gets no
// token unless a pod asks for one, and its only rights are a RoleBinding in each namespace the project owns:
// nothing cluster-wide and nothing in the data-plane namespace, where Jenkins' and MinIO's credentials live.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { buildRoleBindingName, commonLabels, LABELS, NAMES } from './data-plane.names';
import { objectMeta } from './object-builders';

export function buildBindingLabels(input: ResolvedDataPlaneInput): Record<string, string> {
  return { ...commonLabels(input.project), [LABELS.component]: 'build', [LABELS.buildBindingOf]: input.namespace };
}

export function desiredBuildServiceAccount(input: ResolvedDataPlaneInput): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: objectMeta(input, NAMES.buildServiceAccount, { ...commonLabels(input.project), [LABELS.component]: 'build' }),
    // The build pod decides (only trusted deploy steps mount a token).
    automountServiceAccountToken: false,
  };
}

/** One RoleBinding per managed namespace, binding the deploy ClusterRole there and only there. */
export function desiredBuildRoleBindings(input: ResolvedDataPlaneInput): KubeObject[] {
  return input.managedNamespaces.map((namespace) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: buildRoleBindingName(input.project), namespace, labels: buildBindingLabels(input) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: input.deployClusterRole },
    subjects: [{ kind: 'ServiceAccount', name: NAMES.buildServiceAccount, namespace: input.namespace }],
  }));
}
