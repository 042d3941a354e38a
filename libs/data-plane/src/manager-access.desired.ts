// The manager's own rights in the namespaces it creates. Installed by the Helm chart, the manager holds no right on
// Secrets, Deployments or RBAC outside them: the chart ships two unbound ClusterRoles, and the manager binds them to
// itself, by a RoleBinding in each `<project>-pipeline` and `<project>-builds` right after creating the namespace
// (its `bind` right names only these roles). So what it may do to a data plane exists only where a data plane is.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels, LABELS, NAMES } from './data-plane.names';

export function desiredManagerRoleBindings(input: ResolvedDataPlaneInput): KubeObject[] {
  const access = input.managerAccess;
  if (!access) return [];
  const binding = (namespace: string, role: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: NAMES.managerRoleBinding, namespace, labels: { ...commonLabels(input.project), [LABELS.component]: 'manager' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: access.serviceAccount.name, namespace: access.serviceAccount.namespace }],
  });
  return [binding(input.namespace, access.dataPlaneClusterRole), binding(input.buildNamespace, access.buildsClusterRole)];
}
