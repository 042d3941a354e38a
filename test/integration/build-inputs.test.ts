// Cache volumes against a real cluster: the real kube-controller-manager's PersistentVolume binder binds the
// manager's pre-bound hostPath volume to its claim, keeps it `Released` for the old claim's uid once the claim
// (or its namespace) is deleted, and binds it again to the claim the next build makes (ADR 0004, Caches).
import { Cluster, waitFor } from '@keelson/servers';
import { Core, KubeClient, isNotFound, type KubeObject } from '@keelson/kube';
import { compileJenkinsJob, type CompiledJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { envSecretName, prepareBuildInputs, releaseBuildInputs } from '../../apps/manager/src/executions/build-inputs';

const NS = 'team-a-builds';

let cluster: Cluster;
let kube: KubeClient;

beforeAll(async () => {
  cluster = await Cluster.start({ crds: false, nodes: 1 });
  kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: NS } });
}, 180_000);

afterAll(() => cluster?.stop());

type Volume = KubeObject & { spec: { claimRef?: { uid?: string; name: string } }; status?: { phase?: string } };

function aCachedBuild(pipeline: string): { input: ReturnType<typeof aCompileInput>; compiled: CompiledJenkinsJob } {
  const input = aCompileInput('cache: {paths: [node_modules]}\nstages: [{name: s, steps: [{runScriptConfig: {image: node}}]}]', {
    facts: { pipeline, executionId: `${pipeline}-1` }, settings: { namespace: NS },
  });
  return { input, compiled: compileJenkinsJob(input) };
}

async function prepare(build: ReturnType<typeof aCachedBuild>): Promise<void> {
  await prepareBuildInputs({ management: kube, dataPlane: kube, project: 'team-a', execution: `${build.input.facts.pipeline}-1` }, build.input, build.compiled);
}

const names = (build: ReturnType<typeof aCachedBuild>) => ({
  volume: build.compiled.cacheVolumes.volumes[0].metadata.name,
  claim: build.compiled.cacheVolumes.claims[0].metadata.name,
});
const volume = (name: string) => kube.resource(Core.PersistentVolume).get(undefined, name) as Promise<Volume>;
const claimPhase = async (name: string) => ((await kube.resource(Core.PersistentVolumeClaim).find(NS, name)) as { status?: { phase?: string } } | undefined)?.status?.phase;

/** Waits until the claim is Bound and the volume names the claim's current uid. */
async function bound(build: ReturnType<typeof aCachedBuild>): Promise<string> {
  const { volume: pv, claim } = names(build);
  await waitFor(`claim ${claim} to be Bound`, async () => (await claimPhase(claim)) === 'Bound', { timeoutMs: 45_000 });
  const uid = (await kube.resource(Core.PersistentVolumeClaim).get(NS, claim)).metadata.uid;
  expect((await volume(pv)).spec.claimRef?.uid).toBe(uid);
  return uid!;
}

async function gone(kind: 'claim' | 'namespace', get: () => Promise<unknown>): Promise<void> {
  await waitFor(`the ${kind} to be gone`, () => get().then(() => false, (err) => {
    if (!isNotFound(err)) throw err;
    return true;
  }), { timeoutMs: 60_000 });
}

it('binds the volume again to a claim made after the old claim was deleted', async () => {
  const build = aCachedBuild('web');
  const { volume: pv, claim } = names(build);
  await prepare(build);
  const first = await bound(build);

  await kube.resource(Core.PersistentVolumeClaim).delete(NS, claim);
  await gone('claim', () => kube.resource(Core.PersistentVolumeClaim).get(NS, claim));
  await waitFor('the volume to be Released', async () => (await volume(pv)).status?.phase === 'Released', { timeoutMs: 45_000 });
  expect((await volume(pv)).spec.claimRef?.uid).toBe(first);

  await prepare(build);
  const second = await bound(build);
  expect(second).not.toBe(first);
  expect((await volume(pv)).spec).toMatchObject({ claimRef: { name: claim, uid: second } });
});

it('binds the volume again once the whole builds namespace was deleted and made again', async () => {
  const build = aCachedBuild('api');
  const { volume: pv } = names(build);
  await prepare(build);
  const first = await bound(build);

  await kube.resource(Core.Namespace).delete(undefined, NS);
  await gone('namespace', () => kube.resource(Core.Namespace).get(undefined, NS));
  await waitFor('the volume to be Released', async () => (await volume(pv)).status?.phase === 'Released', { timeoutMs: 45_000 });
  await kube.resource(Core.Namespace).create({ metadata: { name: NS } });

  await prepare(build);
  expect(await bound(build)).not.toBe(first);
});

it('leaves a volume bound to its current claim untouched', async () => {
  const build = aCachedBuild('docs');
  const { volume: pv } = names(build);
  await prepare(build);
  const uid = await bound(build);
  const before = (await volume(pv)).metadata.resourceVersion;

  await prepare(build);
  expect((await volume(pv)).metadata.resourceVersion).toBe(before);
  expect((await volume(pv)).spec.claimRef?.uid).toBe(uid);
});

it('deletes an execution\'s env Secret on release, and answers quietly when it or its namespace is gone', async () => {
  await kube.resource(Core.Secret).create({ metadata: { namespace: NS, name: envSecretName('web-9') }, stringData: { 'token__value': 'x' } } as never);
  await releaseBuildInputs(kube, NS, 'web-9');
  expect(await kube.resource(Core.Secret).find(NS, envSecretName('web-9'))).toBeUndefined();
  await releaseBuildInputs(kube, NS, 'web-9');
  await releaseBuildInputs(kube, 'never-provisioned-builds', 'web-9');
});
