// Names of the objects of a project's data plane (`<project>-pipeline`) and build namespace (`<project>-builds`).
// Other parts of Keelson depend on them: the compiler's BuildSettings (`keelson-build`, `registry-push`,
// `registry-ca`, the fork label), the endpoint resolver (Service names and ports) and the sync loop
// (`jenkins-admin`).

export const FIELD_MANAGER = 'keelson';
export const DATA_PLANE_SUFFIX = '-pipeline';
export const BUILDS_SUFFIX = '-builds';

export const NAMES = {
  jenkins: 'jenkins',
  jenkinsServiceAccount: 'jenkins',
  jenkinsRole: 'jenkins-agents',
  jenkinsCasc: 'jenkins-casc',
  jenkinsHome: 'jenkins-home',
  jenkinsAdminSecret: 'jenkins-admin',
  buildServiceAccount: 'keelson-build',
  registry: 'registry',
  registryData: 'registry-data',
  registryAuthSecret: 'registry-auth',
  registryTlsSecret: 'registry-tls',
  registryCaSecret: 'registry-ca',
  registryPushSecret: 'registry-push',
  /** Generated: the pull-only user of the registry (`<project>-pipeline`). */
  registryPullAuthSecret: 'registry-pull-auth',
  /** Derived: the htpasswd the registry reads, push and pull users (`<project>-pipeline`). */
  registryHtpasswdSecret: 'registry-htpasswd',
  /**
   * dockerconfigjson for `127.0.0.1:<proxy port>` with the pull user, in `<project>-builds` and in every
   * namespace the project owns (deployments there name it in `imagePullSecrets`).
   */
  registryPullSecret: 'keelson-registry-pull',
  /** The registry's notification endpoint (the manager's URL and the project's token), read by its env. */
  registryNotificationsSecret: 'registry-notifications',
  minio: 'minio',
  minioData: 'minio-data',
  minioRootSecret: 'minio-root',
  /** Cluster-scoped: what the build ServiceAccount may do in the project's namespaces (deploy steps). */
  deployClusterRole: 'keelson-deploy',
  /** In both namespaces: binds the manager's own rights there (ManagerAccess), when the chart installed them. */
  managerRoleBinding: 'keelson-manager',
  /** Ingress to Jenkins and the registry in `<project>-pipeline` (kept from before the builds namespace). */
  networkPolicy: 'keelson-data-plane',
  minioNetworkPolicy: 'keelson-minio',
  buildsDefaultDeny: 'keelson-default-deny',
  trustedBuildEgress: 'keelson-build-egress',
  forkBuildEgress: 'keelson-fork-build-egress',
} as const;

export const PORTS = { jenkinsHttp: 8080, jenkinsAgent: 50000, registry: 5000, minio: 9000 } as const;

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  project: 'keelson.dev/project',
  /** On build RoleBindings: the namespace whose build ServiceAccount they bind, for pruning. */
  buildBindingOf: 'keelson.dev/build-binding-of',
  /** On build pods, set by the compiler: `"true"` for a pull request from a fork, `"false"` otherwise. */
  fork: 'keelson.dev/fork',
  /** Set by the apiserver on every namespace; NetworkPolicies select namespaces by it. */
  namespaceName: 'kubernetes.io/metadata.name',
} as const;

/** Pod Security Admission levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The RoleBinding that lets a project's build ServiceAccount deploy into one of its namespaces. */
export function buildRoleBindingName(project: string): string {
  return `keelson-build-${project}`;
}

/** `<project>-pipeline`. */
export function dataPlaneNamespace(project: string): string {
  return `${project}${DATA_PLANE_SUFFIX}`;
}

/** `<project>-builds`: build pods, the build ServiceAccount and the Secrets builds use; none of the data plane's own. */
export function buildNamespace(project: string): string {
  return `${project}${BUILDS_SUFFIX}`;
}

/** Host and port build pods push to; also the host the push credentials are for (and CICD_LOCAL_REGISTRY without the proxy). */
export function registryHost(namespace: string): string {
  return `${NAMES.registry}.${namespace}.svc:${PORTS.registry}`;
}

/** Where every node pulls the project's images through the node-local registry proxy: `127.0.0.1:<port>/<project>`. */
export function proxiedRegistry(project: string, proxyPort: number): string {
  return `${registryProxyHost(proxyPort)}/${project}`;
}

/** The host the proxy's pull credentials are for (the key of the pull Secret's `auths`). */
export function registryProxyHost(proxyPort: number): string {
  return `127.0.0.1:${proxyPort}`;
}

/** DNS names the registry certificate is valid for. */
export function registryDnsNames(namespace: string): string[] {
  const base = NAMES.registry;
  return [base, `${base}.${namespace}`, `${base}.${namespace}.svc`, `${base}.${namespace}.svc.cluster.local`];
}

/** The labels every object of a data plane carries. */
export function commonLabels(project: string): Record<string, string> {
  return { [LABELS.managedBy]: 'keelson', [LABELS.partOf]: 'keelson', [LABELS.project]: project };
}

/** Labels of one component (and the selector of its pods: name + component). */
export function componentLabels(project: string, name: string, component: string): Record<string, string> {
  return { ...commonLabels(project), [LABELS.name]: name, [LABELS.component]: component };
}

export function selectorOf(name: string, component: string): Record<string, string> {
  return { [LABELS.name]: name, [LABELS.component]: component };
}
