// Ingress to Jenkins, the registry and MinIO only from pods of the data-plane namespace (agents, builds) and
// from the manager's namespace. Rancher's policy allowed all ingress; this one allows what is used.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels, LABELS, NAMES, PORTS } from './data-plane.names';
import { objectMeta } from './object-builders';

export function desiredNetworkPolicy(input: ResolvedDataPlaneInput): KubeObject {
  const from: Array<Record<string, unknown>> = [{ podSelector: {} }];
  if (input.managerNamespace !== undefined) {
    from.push({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': input.managerNamespace } } });
  }
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: objectMeta(input, NAMES.networkPolicy, commonLabels(input.project)),
    spec: {
      podSelector: {
        matchExpressions: [{ key: LABELS.name, operator: 'In', values: [NAMES.jenkins, NAMES.registry, NAMES.minio] }],
      },
      policyTypes: ['Ingress'],
      ingress: [{
        from,
        ports: [PORTS.jenkinsHttp, PORTS.jenkinsAgent, PORTS.registry, PORTS.minio].map((port) => ({ protocol: 'TCP', port })),
      }],
    },
  };
}
