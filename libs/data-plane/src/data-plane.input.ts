// What the provisioner is asked for, and its validation. Every name here ends up in object names, label values,
// URLs and the Jenkins configuration, so anything that is not a plain DNS label is refused before use.
import type { PipelineSettingSpec } from '@keelson/crds';

import { DataPlaneError } from './data-plane.errors';
import { buildNamespace, dataPlaneNamespace, NAMES } from './data-plane.names';
import { DataPlaneImages, DEFAULT_DATA_PLANE_IMAGES, DEFAULT_JENKINS_PLUGINS, isPinnedImage, isPinnedPlugin } from './images.defaults';

export interface DataPlaneStorage {
  /** StorageClass of the three PVCs; the cluster default when absent. */
  storageClassName?: string;
  jenkins?: string;
  registry?: string;
  minio?: string;
}

export interface DataPlaneInput {
  /** The project: a namespace of the management cluster. */
  project: string;
  /** `<project>-pipeline`; derived when absent, refused when different. */
  namespace?: string;
  setting: PipelineSettingSpec;
  /** The namespaces the project owns; the build ServiceAccount may deploy there and nowhere else. */
  managedNamespaces: string[];
  /** Namespace the manager runs in: its pods may reach Jenkins, the registry and MinIO. */
  managerNamespace?: string;
  images?: Partial<DataPlaneImages>;
  /** `name:version` for jenkins-plugin-cli; replaces the defaults when given. */
  jenkinsPlugins?: readonly string[];
  storage?: DataPlaneStorage;
  /**
   * ClusterRole bound to the build ServiceAccount in each managed namespace. When absent, `keelson-deploy`, which the
   * data plane applies itself (no Secrets, no RBAC, no exec; applying it needs rights on ClusterRoles). When given,
   * it is bound as is and must exist: the Helm chart installs it, so the manager needs no right on ClusterRoles.
   */
  deployClusterRole?: string;
  /**
   * The manager's own rights in the two namespaces it creates: RoleBindings there to these ClusterRoles (which the
   * chart installs, unbound), applied right after the namespaces. Absent when the manager holds the rights already
   * (local mode, tests, a data plane in another cluster).
   */
  managerAccess?: ManagerAccess;
  /** The operator allowed privileged builds for this project: `<project>-builds` is Pod Security `privileged`. */
  allowPrivileged?: boolean;
  /** Where the registry sends its push notifications, with the project's token; none when absent. */
  registryNotification?: RegistryNotification;
  /** The node-local registry proxy: pull Secrets for it, and the project's CA published to it; none when absent. */
  registryProxy?: RegistryProxyInput;
}

export interface RegistryProxyInput {
  /** The node loopback port the proxy listens on (`127.0.0.1:<port>`). */
  port: number;
  /** The ConfigMap the proxy DaemonSet mounts, where the project's CA is published as `<project>.crt`. */
  caConfigMap?: { namespace: string; name: string };
}

export interface ManagerAccess {
  /** The manager's ServiceAccount. */
  serviceAccount: { namespace: string; name: string };
  /** Bound in `<project>-pipeline`. */
  dataPlaneClusterRole: string;
  /** Bound in `<project>-builds`. */
  buildsClusterRole: string;
}

export interface RegistryNotification {
  /** `<manager>/hooks/registry/<project>`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
}

/** The input with every default filled in and every name checked. */
export interface ResolvedDataPlaneInput {
  project: string;
  /** `<project>-pipeline`. */
  namespace: string;
  /** `<project>-builds`. */
  buildNamespace: string;
  setting: PipelineSettingSpec;
  managedNamespaces: string[];
  managerNamespace?: string;
  images: DataPlaneImages;
  jenkinsPlugins: readonly string[];
  storage: Required<Omit<DataPlaneStorage, 'storageClassName'>> & { storageClassName?: string };
  deployClusterRole: string;
  /** The data plane applies `keelson-deploy` itself (no deploy ClusterRole was named). */
  appliesDeployClusterRole: boolean;
  managerAccess?: ManagerAccess;
  allowPrivileged: boolean;
  registryNotification?: RegistryNotification;
  registryProxy?: RegistryProxyInput;
}

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,512}$/;
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPE])?$/;

export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

function checkLabel(what: string, value: string): void {
  if (typeof value !== 'string' || !isDnsLabel(value)) {
    throw new DataPlaneError('InvalidName', `${what} ${JSON.stringify(value)} is not a DNS label (lower-case letters, digits, '-', at most 63)`);
  }
}

export function resolveDataPlaneInput(input: DataPlaneInput): ResolvedDataPlaneInput {
  checkLabel('project', input.project);
  const namespace = dataPlaneNamespace(input.project);
  if (!isDnsLabel(namespace)) {
    throw new DataPlaneError('InvalidName', `project ${JSON.stringify(input.project)} is too long: ${JSON.stringify(namespace)} must fit in 63 characters`);
  }
  // `-builds` is shorter than `-pipeline`, so this holds whenever the check above does; kept so a longer suffix
  // one day fails here with its own message rather than at the apiserver.
  const builds = buildNamespace(input.project);
  if (!isDnsLabel(builds)) {
    throw new DataPlaneError('InvalidName', `project ${JSON.stringify(input.project)} is too long: ${JSON.stringify(builds)} must fit in 63 characters`);
  }
  if (input.namespace !== undefined && input.namespace !== namespace) {
    throw new DataPlaneError('InvalidName', `the data-plane namespace of project ${input.project} is ${namespace}, not ${JSON.stringify(input.namespace)}`);
  }
  const managed = [...new Set(input.managedNamespaces)].sort();
  for (const ns of managed) {
    checkLabel('managed namespace', ns);
    // The data-plane namespace holds Jenkins' and MinIO's credentials, the builds namespace the push Secrets and
    // the build pods: a deploy step must never get rights in either.
    if (ns === namespace) throw new DataPlaneError('InvalidName', `the data-plane namespace ${namespace} cannot be a managed namespace`);
    if (ns === builds) throw new DataPlaneError('InvalidName', `the build namespace ${builds} cannot be a managed namespace`);
  }
  if (input.managerNamespace !== undefined) checkLabel('manager namespace', input.managerNamespace);
  const deployClusterRole = input.deployClusterRole ?? NAMES.deployClusterRole;
  checkClusterRoleName('deploy ClusterRole', deployClusterRole);
  if (input.managerAccess !== undefined) {
    const { serviceAccount, dataPlaneClusterRole, buildsClusterRole } = input.managerAccess;
    checkLabel('manager ServiceAccount namespace', serviceAccount?.namespace);
    if (typeof serviceAccount.name !== 'string' || !DNS_SUBDOMAIN.test(serviceAccount.name)) {
      throw new DataPlaneError('InvalidName', `manager ServiceAccount ${JSON.stringify(serviceAccount.name)} is not a valid name`);
    }
    checkClusterRoleName('data-plane ClusterRole of the manager', dataPlaneClusterRole);
    checkClusterRoleName('builds ClusterRole of the manager', buildsClusterRole);
  }

  const images = { ...DEFAULT_DATA_PLANE_IMAGES, ...input.images };
  for (const [name, image] of Object.entries(images)) {
    if (!isPinnedImage(image)) throw new DataPlaneError('UnpinnedImage', `the ${name} image ${JSON.stringify(image)} must be pinned to a tag (not latest) or a digest`);
  }
  const jenkinsPlugins = input.jenkinsPlugins ?? DEFAULT_JENKINS_PLUGINS;
  for (const plugin of jenkinsPlugins) {
    if (!isPinnedPlugin(plugin)) throw new DataPlaneError('UnpinnedImage', `Jenkins plugin ${JSON.stringify(plugin)} must be name:version with an exact version`);
  }

  const storage = { jenkins: '8Gi', registry: '20Gi', minio: '10Gi', ...input.storage };
  for (const key of ['jenkins', 'registry', 'minio'] as const) {
    if (!QUANTITY.test(storage[key])) throw new DataPlaneError('InvalidName', `storage size ${JSON.stringify(storage[key])} for ${key} is not a quantity`);
  }
  if (storage.storageClassName !== undefined && !DNS_SUBDOMAIN.test(storage.storageClassName)) {
    throw new DataPlaneError('InvalidName', `StorageClass ${JSON.stringify(storage.storageClassName)} is not a valid name`);
  }

  if (input.registryNotification !== undefined) checkRegistryNotification(input.registryNotification);
  if (input.registryProxy !== undefined) checkRegistryProxy(input.registryProxy);

  return {
    project: input.project, namespace, buildNamespace: builds, setting: input.setting, managedNamespaces: managed,
    ...(input.managerNamespace !== undefined && { managerNamespace: input.managerNamespace }),
    images, jenkinsPlugins, storage, deployClusterRole, // An already resolved input keeps its answer (it carries the default name).
    appliesDeployClusterRole: (input as Partial<ResolvedDataPlaneInput>).appliesDeployClusterRole ?? input.deployClusterRole === undefined,
    ...(input.managerAccess !== undefined && {
      managerAccess: {
        serviceAccount: { namespace: input.managerAccess.serviceAccount.namespace, name: input.managerAccess.serviceAccount.name },
        dataPlaneClusterRole: input.managerAccess.dataPlaneClusterRole, buildsClusterRole: input.managerAccess.buildsClusterRole,
      },
    }),
    // Only the operator's word counts (the manager's PRIVILEGED_BUILD_PROJECTS); the setting's old field is ignored.
    allowPrivileged: input.allowPrivileged === true,
    ...(input.registryNotification !== undefined && { registryNotification: { url: input.registryNotification.url, token: input.registryNotification.token } }),
    ...(input.registryProxy !== undefined && {
      registryProxy: { port: input.registryProxy.port, ...(input.registryProxy.caConfigMap && { caConfigMap: { ...input.registryProxy.caConfigMap } }) },
    }),
  };
}

function checkClusterRoleName(what: string, name: string): void {
  if (typeof name !== 'string' || (!DNS_SUBDOMAIN.test(name) && !/^[a-z0-9][a-z0-9:._-]*$/.test(name))) {
    throw new DataPlaneError('InvalidName', `${what} ${JSON.stringify(name)} is not a valid name`);
  }
}

/** The port becomes part of image references and a Secret's key, the ConfigMap's names an object's. */
function checkRegistryProxy({ port, caConfigMap }: RegistryProxyInput): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DataPlaneError('InvalidEndpoint', `registry proxy port ${JSON.stringify(port)} is not a port number`);
  if (caConfigMap !== undefined) {
    checkLabel('registry proxy CA ConfigMap namespace', caConfigMap.namespace);
    if (typeof caConfigMap.name !== 'string' || !DNS_SUBDOMAIN.test(caConfigMap.name) || caConfigMap.name.length > 253) {
      throw new DataPlaneError('InvalidName', `registry proxy CA ConfigMap ${JSON.stringify(caConfigMap.name)} is not a valid name`);
    }
  }
}

/** The URL ends up in the registry's config and the token in a header: both must be plain. */
function checkRegistryNotification({ url, token }: RegistryNotification): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.username || parsed.password || url.length > 2048 || /\s/.test(url)) {
    throw new DataPlaneError('InvalidEndpoint', `registry notification URL ${JSON.stringify(url.slice(0, 200))} is not an http(s) URL without credentials`);
  }
  // The message never holds the token.
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new DataPlaneError('InvalidEndpoint', 'the registry notification token must be 16 to 512 URL-safe characters');
}
