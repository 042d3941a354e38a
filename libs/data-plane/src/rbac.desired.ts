// The build ServiceAccount and what it may do. It is not the Jenkins one (Jenkins can create pods; builds must
// not), it lives in `<project>-builds`, gets no token unless a pod asks for one, and its only rights are a
// RoleBinding in each namespace the project owns to `keelson-deploy`: workloads and their config, never Secrets,
// RBAC, exec, bare pods or new ServiceAccounts (a deploy step that could read Secrets or grant itself roles would
// own the namespace). The workloads it creates may still mount the Secrets of their namespace: ADR 0004.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { buildRoleBindingName, commonLabels, LABELS, NAMES } from './data-plane.names';
import { objectMeta } from './object-builders';

const EVERY_WRITE = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

export function buildBindingLabels(input: ResolvedDataPlaneInput): Record<string, string> {
  return { ...commonLabels(input.project), [LABELS.component]: 'build', [LABELS.buildBindingOf]: input.buildNamespace };
}

export function desiredBuildServiceAccount(input: ResolvedDataPlaneInput): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: objectMeta(input, NAMES.buildServiceAccount, { ...commonLabels(input.project), [LABELS.component]: 'build' }, input.buildNamespace),
    // The build pod decides (only trusted deploy steps mount a token).
    automountServiceAccountToken: false,
  };
}

/**
 * `keelson-deploy`: what `kubectl apply` and Helm (with `HELM_DRIVER=configmap`) need for an application. Shared
 * by every project (it grants nothing by itself; the RoleBindings scope it), so it carries no project label.
 */
export function desiredDeployClusterRole(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: {
      name: NAMES.deployClusterRole,
      labels: { [LABELS.managedBy]: 'keelson', [LABELS.partOf]: 'keelson', [LABELS.component]: 'build' },
    },
    rules: [
      { apiGroups: [''], resources: ['services', 'configmaps', 'persistentvolumeclaims'], verbs: EVERY_WRITE },
      // No bare pods and no new ServiceAccounts: a pod it wrote could mount any Secret of the namespace and run as
      // any of its ServiceAccounts. Deleting a pod (a rollout restart by hand) and reading them stays.
      { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'delete'] },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: READ },
      // Reading what a rollout did; no pods/exec, no pods/attach, no serviceaccounts/token.
      { apiGroups: [''], resources: ['pods/log', 'events'], verbs: READ },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: EVERY_WRITE },
      { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale', 'replicasets/scale'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: EVERY_WRITE },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: EVERY_WRITE },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: EVERY_WRITE },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: EVERY_WRITE },
    ],
  };
}

/** One RoleBinding per managed namespace, binding the deploy ClusterRole there and only there. */
export function desiredBuildRoleBindings(input: ResolvedDataPlaneInput): KubeObject[] {
  return input.managedNamespaces.map((namespace) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: buildRoleBindingName(input.project), namespace, labels: buildBindingLabels(input) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: input.deployClusterRole },
    subjects: [{ kind: 'ServiceAccount', name: NAMES.buildServiceAccount, namespace: input.buildNamespace }],
  }));
}
