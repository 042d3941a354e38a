// Provisions one project's data plane on every admission: server-side apply of every object (not only "if the
// namespace is missing", Rancher's mistake), so a hand-deleted or hand-edited object comes back. Generated
// credentials are created once with a plain create, so two managers racing cannot both win with different
// passwords, and are then read back and applied unchanged.
import { Core, isAlreadyExists, isNotFound, KubeClient, KubeError, KubeObject, ResourceType } from '@keelson/kube';
import { Logger, silentLogger } from '@keelson/observability';

import {
  CredentialGenerator, DataPlaneCredentials, defaultCredentialGenerator, generateCredential, GeneratedSecret, JENKINS_ADMIN_SECRET,
  MINIO_ROOT_SECRET, REGISTRY_AUTH_SECRET, REGISTRY_PULL_AUTH_SECRET, REGISTRY_TLS_SECRET,
} from './credentials';
import { desiredDataPlane, desiredNamespaces } from './data-plane.desired';
import { DataPlaneInput, resolveDataPlaneInput, ResolvedDataPlaneInput } from './data-plane.input';
import { FIELD_MANAGER, LABELS, NAMES, registryDnsNames } from './data-plane.names';
import type { EndpointResolver } from './endpoint-resolver';
import type { JenkinsProbe } from './jenkins-probe';
import { awaitManagerAccess } from './manager-access';
import { desiredManagerRoleBindings } from './manager-access.desired';
import { secretObject } from './object-builders';
import { removePipelineLeftovers } from './leftovers';
import { desiredRegistryProxyCa, registryProxyCaKey } from './registry.desired';
import { registryTlsNeedsRenewal } from './registry-tls';
import { kubeFailure, readSecretData } from './secret-data';

export interface DataPlaneStatus {
  namespace: string;
  /** Jenkins answers: executions may start. */
  ready: boolean;
  /** CamelCase reason when not ready (`JenkinsStarting`). */
  reason?: string;
  message?: string;
  /** Managed namespaces that do not exist in the data-plane cluster, so no RoleBinding could be made there. */
  missingNamespaces: string[];
}

export interface DataPlaneProvisionerOptions {
  /** Client of the data-plane cluster (see kubeClientFor). */
  kube: KubeClient;
  /** With `probeJenkins`: asked for the Jenkins URL when the Deployment reports nothing available. */
  resolver?: EndpointResolver;
  probeJenkins?: JenkinsProbe;
  /** Milliseconds since the epoch; decides when the registry certificate is due. */
  clock?: { now(): number };
  generator?: CredentialGenerator;
  logger?: Logger;
}

const KIND_TYPES: Record<string, ResourceType> = {
  Namespace: Core.Namespace, Secret: Core.Secret, ConfigMap: Core.ConfigMap, Service: Core.Service,
  ServiceAccount: Core.ServiceAccount, PersistentVolumeClaim: Core.PersistentVolumeClaim, Deployment: Core.Deployment,
  Role: Core.Role, RoleBinding: Core.RoleBinding, ClusterRole: Core.ClusterRole, NetworkPolicy: Core.NetworkPolicy,
};

function typeOf(obj: KubeObject): ResourceType {
  const type = obj.kind ? KIND_TYPES[obj.kind] : undefined;
  if (!type) throw new Error(`no resource type for kind ${String(obj.kind)}`);
  return type;
}

function objectKey(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}

export class DataPlaneProvisioner {
  private readonly kube: KubeClient;
  private readonly clock: { now(): number };
  private readonly generator: CredentialGenerator;
  private readonly logger: Logger;

  constructor(private readonly opts: DataPlaneProvisionerOptions) {
    this.kube = opts.kube;
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.generator = opts.generator ?? defaultCredentialGenerator;
    this.logger = (opts.logger ?? silentLogger).child({ component: 'data-plane' });
  }

  async ensure(raw: DataPlaneInput): Promise<DataPlaneStatus> {
    const input = resolveDataPlaneInput(raw);
    const log = this.logger.child({ project: input.project, namespace: input.namespace, buildNamespace: input.buildNamespace });
    // The namespaces first: the generated Secrets are read from the data-plane one and created in it.
    const namespaces = desiredNamespaces(input);
    for (const namespace of namespaces) await this.applyOrFail(namespace);
    // Then the manager's own rights in them (when the chart installed the roles): nothing below works without them.
    const access = desiredManagerRoleBindings(input);
    for (const binding of access) await this.applyOrFail(binding);
    if (input.managerAccess) await awaitManagerAccess(this.kube, [input.namespace, input.buildNamespace]);
    const applied = new Set([...namespaces, ...access].map(objectKey));
    const credentials = await this.credentials(input, log);
    const objects = desiredDataPlane(input, credentials).filter((obj) => !applied.has(objectKey(obj)));
    const missingNamespaces: string[] = [];
    const managed = new Set(input.managedNamespaces);
    for (const obj of objects) {
      // Build RoleBindings and pull Secrets.
      const inManagedNamespace = managed.has(obj.metadata.namespace as string);
      try {
        await (obj.kind === 'PersistentVolumeClaim' ? this.applyClaim(obj, log) : this.apply(obj));
      } catch (err) {
        // A managed namespace may not exist in another data-plane cluster: nothing to grant or put there.
        if (inManagedNamespace && isNotFound(err)) {
          if (!missingNamespaces.includes(obj.metadata.namespace as string)) missingNamespaces.push(obj.metadata.namespace as string);
        } else throw kubeFailure(`applying ${describe(obj)}`, err);
      }
    }
    await this.publishRegistryCa(input, credentials, log);
    if (missingNamespaces.length > 0) log.warn({ missingNamespaces }, 'managed namespaces missing in the data-plane cluster');
    await this.pruneBuildBindings(input, log);
    await removePipelineLeftovers(this.kube, input, log);
    const status: DataPlaneStatus = { namespace: input.namespace, missingNamespaces, ...(await this.readiness(input)) };
    log.info({ objects: objects.length + applied.size, ready: status.ready, reason: status.reason }, 'data plane applied');
    return status;
  }

  /**
   * The project's key of the proxy's shared CA ConfigMap, applied under a field manager of the project's own: each
   * project owns its key, so concurrent provisioning of two projects never overwrites the other's CA.
   */
  private async publishRegistryCa(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials, log: Logger): Promise<void> {
    const target = input.registryProxy?.caConfigMap;
    if (!target) return;
    let published: string | undefined;
    try {
      const current = await this.kube.resource(Core.ConfigMap).find(target.namespace, target.name);
      published = (current?.data as Record<string, string> | undefined)?.[registryProxyCaKey(input.project)];
    } catch (err) {
      if (!isNotFound(err)) throw kubeFailure(`reading ConfigMap ${target.namespace}/${target.name}`, err);
    }
    const configMap = desiredRegistryProxyCa(input, credentials, published) as KubeObject;
    try {
      await this.kube.resource(Core.ConfigMap).apply(configMap, { fieldManager: registryCaFieldManager(input.project), force: true });
    } catch (err) {
      // A data-plane cluster without the proxy's namespace runs builds all the same; only nodes cannot pull.
      if (isNotFound(err)) {
        log.warn({ configMap: `${configMap.metadata.namespace}/${configMap.metadata.name}` }, 'no namespace for the registry proxy\'s CA ConfigMap: nodes of this cluster cannot pull the project\'s images');
        return;
      }
      throw kubeFailure(`publishing the registry CA in ${describe(configMap)}`, err);
    }
  }

  private apply(obj: KubeObject): Promise<KubeObject> {
    return this.kube.resource(typeOf(obj)).apply(obj, { fieldManager: FIELD_MANAGER, force: true });
  }

  /**
   * A claim's spec is immutable once created (only a bound claim may grow), and the apiserver rewrites a freshly
   * created claim on its first update even when nothing changed. So an existing claim is applied only when one
   * of our labels or its size differs, and a change the apiserver refuses (a smaller size) is logged, not fatal:
   * the data plane keeps its volume.
   */
  private async applyClaim(obj: KubeObject, log: Logger): Promise<void> {
    const claims = this.kube.resource(Core.PersistentVolumeClaim);
    let current: KubeObject | undefined;
    try {
      current = await claims.get(obj.metadata.namespace, obj.metadata.name as string);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (current && claimUpToDate(current, obj)) return;
    try {
      await this.apply(obj);
    } catch (err) {
      if (!current || !(err instanceof KubeError) || err.reason !== 'Invalid') throw err;
      log.warn({ claim: obj.metadata.name, error: err.message }, 'volume claim cannot change as desired; keeping it');
    }
  }

  private async applyOrFail(obj: KubeObject): Promise<void> {
    try {
      await this.apply(obj);
    } catch (err) {
      throw kubeFailure(`applying ${describe(obj)}`, err);
    }
  }

  private async credentials(input: ResolvedDataPlaneInput, log: Logger): Promise<DataPlaneCredentials> {
    return {
      jenkinsAdmin: await this.credential(input, JENKINS_ADMIN_SECRET, log),
      minioRoot: await this.credential(input, MINIO_ROOT_SECRET, log),
      registryAuth: await this.credential(input, REGISTRY_AUTH_SECRET, log),
      registryPull: await this.credential(input, REGISTRY_PULL_AUTH_SECRET, log),
      registryTls: await this.credential(input, REGISTRY_TLS_SECRET, log),
    };
  }

  /** The stored value of one generated Secret, creating it with fresh values only when it does not exist. */
  private async credential<K extends keyof DataPlaneCredentials>(
    input: ResolvedDataPlaneInput, spec: GeneratedSecret<K>, log: Logger,
  ): Promise<DataPlaneCredentials[K]> {
    const now = new Date(this.clock.now());
    const tlsNames = { commonName: `${NAMES.registry}.${input.namespace}.svc`, dnsNames: registryDnsNames(input.namespace) };
    const fresh = (): DataPlaneCredentials[K] => generateCredential(spec.field, this.generator, tlsNames, now);

    const stored = await readSecretData(this.kube, input.namespace, spec.name);
    if (stored === undefined) {
      const value = fresh();
      const secret = secretObject(input, spec.name, spec.type, spec.toData(value));
      try {
        await this.kube.resource(Core.Secret).create(secret, { fieldManager: FIELD_MANAGER });
        log.info({ secret: spec.name }, 'generated credentials created');
        return value;
      } catch (err) {
        if (!isAlreadyExists(err)) throw kubeFailure(`creating Secret ${input.namespace}/${spec.name}`, err);
        // Another manager created it first: its values win.
        return this.credential(input, spec, log);
      }
    }
    const value = spec.fromData(stored);
    if (value === undefined) {
      log.warn({ secret: spec.name }, 'generated Secret lacks keys; completing it with new values');
      return fresh();
    }
    if (spec.name === REGISTRY_TLS_SECRET.name
      && registryTlsNeedsRenewal(value as DataPlaneCredentials['registryTls'], tlsNames.dnsNames, now)) {
      log.info({ secret: spec.name }, 'registry certificate renewed');
      return fresh();
    }
    return value;
  }

  /**
   * RoleBindings of this build ServiceAccount in namespaces the project no longer owns are deleted. Bindings made
   * before the builds namespace existed are labelled with the data-plane namespace: they are pruned the same way
   * (those in namespaces still owned were just rewritten by the apply above).
   */
  private async pruneBuildBindings(input: ResolvedDataPlaneInput, log: Logger): Promise<void> {
    const bindings = this.kube.resource(Core.RoleBinding);
    let list;
    try {
      list = await bindings.list(undefined, { labelSelector: `${LABELS.buildBindingOf} in (${input.buildNamespace},${input.namespace})` });
    } catch (err) {
      throw kubeFailure('listing build RoleBindings', err);
    }
    const managed = new Set(input.managedNamespaces);
    for (const rb of list.items) {
      const ns = rb.metadata.namespace as string;
      if (managed.has(ns)) continue;
      try {
        await bindings.delete(ns, rb.metadata.name as string, { uid: rb.metadata.uid });
        log.info({ rolebindingNamespace: ns, name: rb.metadata.name }, 'build RoleBinding removed from a namespace the project no longer owns');
      } catch (err) {
        if (!isNotFound(err)) throw kubeFailure(`deleting RoleBinding ${ns}/${rb.metadata.name}`, err);
      }
      // The pull Secret went to the same namespaces as the binding: found through it, never by listing Secrets.
      await this.removePullSecret(input, ns, log);
    }
  }

  private async removePullSecret(input: ResolvedDataPlaneInput, namespace: string, log: Logger): Promise<void> {
    const secrets = this.kube.resource(Core.Secret);
    try {
      const found = await secrets.find(namespace, NAMES.registryPullSecret);
      const labels = found?.metadata.labels ?? {};
      if (!found || labels[LABELS.managedBy] !== 'keelson' || labels[LABELS.project] !== input.project) return;
      await secrets.delete(namespace, NAMES.registryPullSecret, { uid: found.metadata.uid });
      log.info({ secretNamespace: namespace }, 'registry pull Secret removed from a namespace the project no longer owns');
    } catch (err) {
      if (!isNotFound(err)) throw kubeFailure(`deleting Secret ${namespace}/${NAMES.registryPullSecret}`, err);
    }
  }

  private async readiness(input: ResolvedDataPlaneInput): Promise<{ ready: boolean; reason?: string; message?: string }> {
    let available = 0;
    try {
      const deployment = await this.kube.resource(Core.Deployment).get(input.namespace, NAMES.jenkins);
      available = Number((deployment.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0);
    } catch (err) {
      throw kubeFailure(`reading Deployment ${input.namespace}/${NAMES.jenkins}`, err);
    }
    if (available > 0) return { ready: true };
    if (this.opts.probeJenkins && this.opts.resolver) {
      const url = this.opts.resolver.jenkinsUrl(input.namespace);
      if (await this.opts.probeJenkins(url)) return { ready: true };
    }
    return { ready: false, reason: 'JenkinsStarting', message: `Jenkins in ${input.namespace} does not answer yet` };
  }
}

/** One field manager per project on the shared CA ConfigMap. */
export function registryCaFieldManager(project: string): string {
  return `${FIELD_MANAGER}-registry-ca-${project}`;
}

type ClaimSpec = { resources?: { requests?: { storage?: string } }; storageClassName?: string };

function claimUpToDate(current: KubeObject, desired: KubeObject): boolean {
  const labels = current.metadata.labels ?? {};
  const want = desired.spec as ClaimSpec;
  const have = current.spec as ClaimSpec;
  return Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => labels[k] === v)
    && have.resources?.requests?.storage === want.resources?.requests?.storage
    && (want.storageClassName === undefined || have.storageClassName === want.storageClassName);
}
