// Who may talk to whom (ADR 0004, Egress). In `<project>-pipeline`: Jenkins and the registry take ingress from
// the build pods and the manager, MinIO from the manager only. In `<project>-builds`: everything is denied, then
// trusted build pods may reach DNS, Jenkins, the registry and the internet, and fork build pods DNS, Jenkins'
// agent channel and the internet. A pod without the fork label matches no allow rule. Policies add up, so the
// default deny only closes what no other policy opens.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels, LABELS, NAMES, PORTS, selectorOf } from './data-plane.names';
import { objectMeta } from './object-builders';

type Peer = Record<string, unknown>;
type Rule = { to?: Peer[]; from?: Peer[]; ports?: Array<{ protocol: string; port: number }> };

/** Private, shared, link-local (the cloud metadata address) and loopback ranges: not "the internet". */
export const PRIVATE_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'];
export const PRIVATE_IPV6 = ['fc00::/7', 'fe80::/10', '::1/128'];

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const inNamespace = (namespace: string): Peer => ({ namespaceSelector: { matchLabels: { [LABELS.namespaceName]: namespace } } });
const podsOf = (namespace: string, name: string, component: string): Peer => ({ ...inNamespace(namespace), podSelector: { matchLabels: selectorOf(name, component) } });

function policy(input: ResolvedDataPlaneInput, namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: objectMeta(input, name, commonLabels(input.project), namespace), spec };
}

/** Ingress to Jenkins and the registry from the build pods, and to all three from the manager's namespace. */
export function desiredDataPlaneNetworkPolicies(input: ResolvedDataPlaneInput): KubeObject[] {
  const manager: Rule[] = input.managerNamespace === undefined ? [] : [{ from: [inNamespace(input.managerNamespace)] }];
  // The node-local registry proxy forwards kubelets' pulls from its own namespace (where its CA ConfigMap is).
  const proxyNamespace = input.registryProxy?.caConfigMap?.namespace;
  const proxy: Rule[] = proxyNamespace === undefined || proxyNamespace === input.managerNamespace
    ? [] : [{ from: [inNamespace(proxyNamespace)], ports: tcp(PORTS.registry) }];
  return [
    policy(input, input.namespace, NAMES.networkPolicy, {
      podSelector: { matchExpressions: [{ key: LABELS.name, operator: 'In', values: [NAMES.jenkins, NAMES.registry] }] },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [inNamespace(input.buildNamespace)], ports: tcp(PORTS.jenkinsHttp, PORTS.jenkinsAgent, PORTS.registry) },
        ...manager.map((rule) => ({ ...rule, ports: tcp(PORTS.jenkinsHttp, PORTS.jenkinsAgent, PORTS.registry) })),
        ...proxy,
      ],
    }),
    // MinIO holds the archived logs of every build: nobody but the manager reads or writes them.
    policy(input, input.namespace, NAMES.minioNetworkPolicy, {
      podSelector: { matchLabels: selectorOf(NAMES.minio, 'log-store') },
      policyTypes: ['Ingress'],
      // No rule at all (not an empty list, which the apiserver would drop) when the manager runs outside.
      ...(manager.length > 0 && { ingress: manager.map((rule) => ({ ...rule, ports: tcp(PORTS.minio) })) }),
    }),
  ];
}

/** NodeLocal DNSCache's listen address: pods that resolve through it never reach kube-system. */
export const NODE_LOCAL_DNS = '169.254.20.10/32';

function dns(): Rule {
  return { to: [inNamespace('kube-system'), { ipBlock: { cidr: NODE_LOCAL_DNS } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
}

function internet(): Rule {
  return { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_IPV4 } }, { ipBlock: { cidr: '::/0', except: PRIVATE_IPV6 } }] };
}

function jenkins(input: ResolvedDataPlaneInput): Rule {
  // 8080 carries WebSocket agents (and JNLP discovery), 50000 the TCP agent channel.
  return { to: [podsOf(input.namespace, NAMES.jenkins, 'controller')], ports: tcp(PORTS.jenkinsHttp, PORTS.jenkinsAgent) };
}

function egress(input: ResolvedDataPlaneInput, name: string, fork: boolean, rules: Rule[]): KubeObject {
  return policy(input, input.buildNamespace, name, {
    podSelector: { matchLabels: { [LABELS.fork]: String(fork) } },
    policyTypes: ['Egress'],
    egress: rules,
  });
}

/** Default deny in `<project>-builds`, then what trusted and fork build pods may reach. */
export function desiredBuildNetworkPolicies(input: ResolvedDataPlaneInput): KubeObject[] {
  return [
    policy(input, input.buildNamespace, NAMES.buildsDefaultDeny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    egress(input, NAMES.trustedBuildEgress, false, [
      dns(),
      jenkins(input),
      { to: [podsOf(input.namespace, NAMES.registry, 'registry')], ports: tcp(PORTS.registry) },
      internet(),
    ]),
    // A fork's code is a stranger's: no registry (it holds the project's images), nothing else in the cluster.
    egress(input, NAMES.forkBuildEgress, true, [dns(), jenkins(input), internet()]),
  ];
}
