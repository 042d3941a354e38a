// What a build needs in the data plane before its pod may exist (ADR 0004): the opted-in Secret values its steps
// name, copied into one Secret of the build namespace, and the cache volumes only the manager may create.
import { buildSecretReferences, envSecretKey, type CompiledJenkinsJob, type JenkinsCompileInput } from '@keelson/engine-jenkins';
import { Core, KubeClient, isAlreadyExists, isNotFound, retryOnConflict, type KubeObject } from '@keelson/kube';

/** The label by which a project marks a Secret as usable by its builds' `envFrom`. */
export const BUILD_SECRET_LABEL = 'keelson.dev/build-secret';
const FIELD_MANAGER = 'keelson';

/** The build cannot start as configured: the execution fails with this message, no pod is created. */
export class BuildInputRefused extends Error {
  readonly name = 'BuildInputRefused';
}

/** The Secret of the build namespace holding the values one execution's `envFrom` names. */
export function envSecretName(execution: string): string {
  return `${execution}-env`;
}

export interface BuildInputsTarget {
  /** The management cluster, where the project's own Secrets live. */
  management: KubeClient;
  /** The cluster the build pods run in. */
  dataPlane: KubeClient;
  project: string;
  execution: string;
}

export async function prepareBuildInputs(target: BuildInputsTarget, input: JenkinsCompileInput, compiled: CompiledJenkinsJob): Promise<void> {
  await copyBuildSecrets(target, input);
  await ensureCacheVolumes(target.dataPlane, compiled);
}

/**
 * Best effort: a leftover Secret holds only values the project opted in. Tenants have no RBAC in the builds
 * namespace, but the project's Jenkins and any build pod of the project can mount it there, so it should not stay.
 */
export async function releaseBuildInputs(dataPlane: KubeClient, namespace: string, execution: string): Promise<void> {
  await dataPlane.resource(Core.Secret).delete(namespace, envSecretName(execution)).catch((err) => {
    if (!isNotFound(err)) throw err;
  });
}

async function copyBuildSecrets(target: BuildInputsTarget, input: JenkinsCompileInput): Promise<void> {
  const refs = buildSecretReferences(input);
  if (refs.length === 0) return;
  const data: Record<string, string> = {};
  const read = new Map<string, KubeObject | undefined>();
  for (const ref of refs) {
    const where = `envFrom of stage ${JSON.stringify(ref.stage)} step ${JSON.stringify(ref.step)}`;
    if (!read.has(ref.secret)) read.set(ref.secret, await target.management.resource(Core.Secret).find(target.project, ref.secret));
    const secret = read.get(ref.secret) as (KubeObject & { data?: Record<string, string> }) | undefined;
    if (!secret) throw new BuildInputRefused(`${where}: Secret ${JSON.stringify(ref.secret)} not found in project ${target.project}`);
    if (secret.metadata.labels?.[BUILD_SECRET_LABEL] !== 'true') {
      throw new BuildInputRefused(`${where}: Secret ${JSON.stringify(ref.secret)} of project ${target.project} is not marked for builds; label it ${BUILD_SECRET_LABEL}=true to let builds use it`);
    }
    const value = secret.data?.[ref.key];
    if (value === undefined) throw new BuildInputRefused(`${where}: Secret ${JSON.stringify(ref.secret)} has no key ${JSON.stringify(ref.key)}`);
    data[envSecretKey(ref.secret, ref.key)] = value;
  }
  const namespace = input.settings.namespace;
  await target.dataPlane.resource(Core.Secret).apply({
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data,
    metadata: {
      name: envSecretName(target.execution), namespace,
      labels: { 'app.kubernetes.io/managed-by': 'keelson', 'keelson.dev/project': target.project, 'app.kubernetes.io/component': 'build-env' },
    },
  }, { fieldManager: FIELD_MANAGER, force: true });
}

/**
 * Created once and never updated: the binder fills in the claim reference of a bound volume, and an apply of ours
 * would take it back (an ObjectReference is replaced whole). A volume that outlived its claim (`Retain`) is handed
 * back to the claim of the same name.
 */
async function ensureCacheVolumes(dataPlane: KubeClient, compiled: CompiledJenkinsJob): Promise<void> {
  const { volumes, claims } = compiled.cacheVolumes;
  for (const volume of volumes) {
    const existed = await createIfAbsent(dataPlane, Core.PersistentVolume, volume as KubeObject);
    const ref = volume.spec.claimRef;
    const claim = claims.find((c) => c.metadata.name === ref.name && c.metadata.namespace === ref.namespace);
    if (!claim) throw new Error(`cache volume ${volume.metadata.name}: no claim ${ref.namespace}/${ref.name} compiled for it`);
    const current = await dataPlane.resource(Core.PersistentVolumeClaim).find(ref.namespace, ref.name);
    // Before the claim is made, so that a new claim finds its volume free and binds at once.
    if (existed) await rebindCacheVolume(dataPlane, volume.metadata.name, current?.metadata.uid);
    if (!current) await createIfAbsent(dataPlane, Core.PersistentVolumeClaim, claim as KubeObject);
  }
}

type VolumeState = KubeObject & { spec?: { claimRef?: { uid?: string } }; status?: { phase?: string } };

/**
 * The binder keeps a `Released` volume for the claim uid it last held, so a claim made again (after its deletion,
 * or its namespace's) would stay Pending for ever. Dropping the uid (and the claim's resourceVersion) makes the
 * volume pre-bound by name again. `claimUid` is the uid of the claim that exists now, if any.
 */
export async function rebindCacheVolume(dataPlane: KubeClient, volumeName: string, claimUid: string | undefined): Promise<void> {
  await retryOnConflict(async () => {
    const pv = await dataPlane.resource(Core.PersistentVolume).get(undefined, volumeName) as VolumeState;
    const uid = pv.spec?.claimRef?.uid;
    if (pv.status?.phase !== 'Released' && (uid === undefined || uid === claimUid)) return;
    await dataPlane.resource(Core.PersistentVolume).patch(undefined, volumeName, {
      metadata: { resourceVersion: pv.metadata.resourceVersion },
      spec: { claimRef: { uid: null, resourceVersion: null } },
    });
  });
}

/** Creates `obj` unless it exists; answers whether it was there already. */
async function createIfAbsent(kube: KubeClient, type: typeof Core.PersistentVolume, obj: KubeObject): Promise<boolean> {
  return kube.resource(type).create(obj).then(() => false, (err) => {
    if (!isAlreadyExists(err)) throw err;
    return true;
  });
}
