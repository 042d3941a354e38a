// Every secret value a build can see, to be masked out of its logs (B12): the project Secrets its config opted
// into (envFrom), the git token of its checkout, the registry's credentials, and the data plane's Jenkins admin
// and MinIO root (should a step ever print them). Read from the apiserver, kept only in this process' memory for a
// short while, never written anywhere.
import { buildSecretReferences } from '@keelson/engine-jenkins';
import { DATA_PLANE_NAMES, dataPlaneNamespace } from '@keelson/data-plane';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import type { SecretSource } from '@keelson/logs';
import type { OutboundPolicy } from '@keelson/outbound';
import { BUILD_SECRET_LABEL } from '../executions/build-inputs';
import { DEFAULT_BUILD_POLICY, executionCompileInput } from '../executions/execution-job.compiler';
import { gitCredentialsOf } from '../executions/git-auth';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
type SecretObject = { metadata: { labels?: Record<string, string> }; data?: Record<string, string> };

export interface BuildSecretsDeps {
  /** The management cluster: the project's Secrets, Pipeline, credentials. */
  kube: KubeClient;
  /** The project's data-plane cluster, where its generated Secrets live. */
  dataPlane(project: string): Promise<KubeClient>;
  /** The Jenkins admin and MinIO root the manager uses (already resolved). */
  jenkinsPassword(project: string): Promise<string>;
  minioSecretKey(project: string): Promise<string>;
  outbound?: OutboundPolicy;
  ttlMs?: number;
  now?: () => number;
}

export class BuildSecrets {
  private readonly cache = new Map<string, { at: number; sources: SecretSource[] }>();

  constructor(private readonly deps: BuildSecretsDeps) {}

  /** The values to mask for this execution; each source names where it came from, for warnings. */
  async of(exe: Execution): Promise<SecretSource[]> {
    const now = (this.deps.now ?? Date.now)();
    const uid = exe.metadata.uid!;
    const cached = this.cache.get(uid);
    if (cached && now - cached.at < (this.deps.ttlMs ?? 60_000)) return cached.sources;
    const sources = await this.read(exe);
    for (const [key, entry] of this.cache) if (now - entry.at >= (this.deps.ttlMs ?? 60_000)) this.cache.delete(key);
    this.cache.set(uid, { at: now, sources });
    return sources;
  }

  forget(exe: Execution): void {
    this.cache.delete(exe.metadata.uid!);
  }

  private async read(exe: Execution): Promise<SecretSource[]> {
    const project = exe.metadata.namespace!;
    const sources: SecretSource[] = [];
    const pipeline = await this.deps.kube.resource(Keelson.Pipeline).find(project, exe.spec.pipelineRef.name);
    const settings = await this.deps.kube.resource(Keelson.PipelineSetting).list(project);
    const setting = settings.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
    // The Secrets its steps' envFrom name (none for fork builds), as the build got them: only those marked for builds.
    if (exe.spec.config) {
      const refs = buildSecretReferences(executionCompileInput(exe, pipeline, setting, DEFAULT_BUILD_POLICY));
      const read = new Map<string, SecretObject | undefined>();
      for (const ref of refs) {
        if (!read.has(ref.secret)) read.set(ref.secret, (await this.deps.kube.resource(Core.Secret).find(project, ref.secret)) as SecretObject | undefined);
        const secret = read.get(ref.secret);
        const value = secret?.metadata.labels?.[BUILD_SECRET_LABEL] === 'true' ? secret.data?.[ref.key] : undefined;
        if (value !== undefined) sources.push({ source: `Secret ${project}/${ref.secret} key ${ref.key}`, value: decode(value) });
      }
    }
    if (pipeline?.spec.credentialRef && !exe.spec.fork) {
      const git = await gitCredentialsOf(this.deps.kube, pipeline, exe.spec.repositoryUrl ?? pipeline.spec.repositoryUrl, this.deps.outbound).catch(() => undefined);
      if (git) sources.push({ source: `the git token of SourceCodeCredential ${project}/${pipeline.spec.credentialRef.name}`, value: git.password });
    }
    const namespace = dataPlaneNamespace(project);
    const dataPlane = await this.deps.dataPlane(project);
    for (const name of [DATA_PLANE_NAMES.registryAuthSecret, DATA_PLANE_NAMES.registryPullAuthSecret]) {
      const registry = (await dataPlane.resource(Core.Secret).find(namespace, name)) as SecretObject | undefined;
      if (registry?.data?.password) sources.push({ source: `Secret ${namespace}/${name}`, value: decode(registry.data.password) });
    }
    sources.push({ source: `the Jenkins admin of ${namespace}`, value: await this.deps.jenkinsPassword(project) });
    const minio = await this.deps.minioSecretKey(project).catch(() => undefined);
    if (minio) sources.push({ source: `the MinIO root of ${namespace}`, value: minio });
    return sources;
  }
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
