// Where each project's data plane lives: the management cluster, or the cluster of the kubeconfig Secret its
// PipelineSetting names (DESIGN §1). One client, provisioner and endpoint resolver per cluster, built once and
// rebuilt when the Secret or the setting changes.
import type { PipelineSetting } from '@keelson/crds';
import {
  DataPlaneEndpointResolver, DataPlaneProvisioner, dataPlaneNamespace, httpJenkinsProbe, kubeClientFor, type EndpointOverrides,
} from '@keelson/data-plane';
import type { EngineEndpoint } from '@keelson/engine-jenkins';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { DEFAULT_SETTING_SPEC } from '../controllers/data-plane.gate';

export interface DataPlaneCluster {
  kube: KubeClient;
  resolver: DataPlaneEndpointResolver;
  provisioner: DataPlaneProvisioner;
}

export class DataPlaneClusters {
  private readonly byKey = new Map<string, DataPlaneCluster>();
  private readonly settings = new Map<string, { at: number; setting?: PipelineSetting }>();
  private readonly endpoints = new Map<string, { at: number; endpoint: EngineEndpoint }>();
  readonly management: DataPlaneCluster;

  constructor(
    private readonly kube: KubeClient,
    private readonly overrides: EndpointOverrides,
    private readonly logger: Logger,
    private readonly settingTtlMs = 10_000,
  ) {
    this.management = this.build(kube);
  }

  /** The data-plane cluster of a project; `setting` when the caller has it at hand (saves a read). */
  async forProject(project: string, setting?: PipelineSetting | null): Promise<DataPlaneCluster> {
    const spec = (setting === undefined ? await this.settingOf(project) : setting ?? undefined)?.spec ?? DEFAULT_SETTING_SPEC;
    const ref = spec.dataPlane?.kubeconfigSecretRef;
    if (!ref) return this.management;
    // The Secret's resourceVersion is part of the key: a rotated kubeconfig gets a new client.
    const secret = await this.kube.resource(Core.Secret).get(project, ref.name);
    const key = `${project}/${ref.name}/${ref.key}@${secret.metadata.resourceVersion}`;
    let cluster = this.byKey.get(key);
    if (!cluster) {
      cluster = this.build(await kubeClientFor(this.kube, project, spec, this.logger));
      for (const old of [...this.byKey.keys()].filter((k) => k.startsWith(`${project}/`))) this.byKey.delete(old);
      this.byKey.set(key, cluster);
    }
    return cluster;
  }

  /**
   * Where and as whom to reach the project's Jenkins. Asked on every poll of every execution, so it is kept for a
   * while: the generated admin Secret never changes once it exists.
   */
  async jenkins(project: string): Promise<EngineEndpoint> {
    const cached = this.endpoints.get(project);
    if (cached && Date.now() - cached.at < this.settingTtlMs) return cached.endpoint;
    const endpoint = await (await this.forProject(project)).resolver.jenkinsCredentials(dataPlaneNamespace(project));
    this.endpoints.set(project, { at: Date.now(), endpoint });
    return endpoint;
  }

  private async settingOf(project: string): Promise<PipelineSetting | undefined> {
    const cached = this.settings.get(project);
    if (cached && Date.now() - cached.at < this.settingTtlMs) return cached.setting;
    const list = await this.kube.resource(Keelson.PipelineSetting).list(project);
    const setting = list.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
    this.settings.set(project, { at: Date.now(), setting });
    return setting;
  }

  private build(kube: KubeClient): DataPlaneCluster {
    const resolver = new DataPlaneEndpointResolver(kube, this.overrides);
    return { kube, resolver, provisioner: new DataPlaneProvisioner({ kube, resolver, probeJenkins: httpJenkinsProbe(), logger: this.logger }) };
  }
}
