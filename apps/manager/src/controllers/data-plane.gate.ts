// The controllers' view of the data plane: make sure it is there and say whether Jenkins answers. Applying ~30
// objects on every admission would cost ~30 apiserver writes per execution, so an unchanged desired state is
// applied at most once per `reapplyMs` per project (the setting controller's resync repairs hand-deleted objects).
// The project's registry token (a Secret of the project namespace) is made here too, where the data-plane
// registry that sends it is configured.
import type { PipelineSetting } from '@keelson/crds';
import type { DataPlaneStatus, ManagerAccess, RegistryProxyInput } from '@keelson/data-plane';
import type { DataPlaneClusters } from '../data-plane/data-plane-clusters';

export interface DataPlaneGate {
  ensure(project: string, setting: PipelineSetting | undefined, options?: { force?: boolean }): Promise<DataPlaneStatus>;
}

export const DEFAULT_SETTING_SPEC: PipelineSetting['spec'] = { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30 };

export class ProvisioningGate implements DataPlaneGate {
  private readonly applied = new Map<string, { fingerprint: string; at: number; status: DataPlaneStatus }>();

  constructor(
    private readonly clusters: DataPlaneClusters,
    private readonly options: {
      managerNamespace?: string;
      /** The manager's PRIVILEGED_BUILD_PROJECTS: their builds namespace is Pod Security `privileged`. */
      privilegedProjects?: readonly string[];
      reapplyMs?: number;
      now?: () => number;
      /** Where the registry notifies the manager of pushes (`<baseUrl>/hooks/registry/<project>`); no notifications without it. */
      registryHook?: { baseUrl?: string; tokens: { ensure(namespace: string): Promise<string> } };
      /** DATA_PLANE_DEPLOY_CLUSTER_ROLE: bound as is (the chart installs it); the data plane applies keelson-deploy when absent. */
      deployClusterRole?: string;
      /** The manager binds itself these roles in the namespaces it creates (chart installs); management cluster only. */
      managerAccess?: ManagerAccess;
      /** The node-local registry proxy (REGISTRY_PROXY_PORT, its CA ConfigMap in the manager's namespace); none when absent. */
      registryProxy?: RegistryProxyInput;
    } = {},
  ) {}

  async ensure(project: string, setting: PipelineSetting | undefined, { force = false } = {}): Promise<DataPlaneStatus> {
    const now = (this.options.now ?? Date.now)();
    const spec = setting?.spec ?? DEFAULT_SETTING_SPEC;
    // The operator's list, never the setting's old `allowPrivileged` field (ADR 0004).
    const allowPrivileged = (this.options.privilegedProjects ?? []).includes(project);
    const hook = this.options.registryHook;
    const notifyUrl = hook?.baseUrl ? `${hook.baseUrl.replace(/\/+$/, '')}/hooks/registry/${project}` : undefined;
    const registryProxy = this.options.registryProxy;
    const fingerprint = JSON.stringify({ spec, allowPrivileged, notifyUrl, registryProxy });
    const last = this.applied.get(project);
    if (!force && last?.status.ready && last.fingerprint === fingerprint && now - last.at < (this.options.reapplyMs ?? 60_000)) return last.status;
    const cluster = await this.clusters.forProject(project, setting ?? null);
    const registryNotification = notifyUrl ? { url: notifyUrl, token: await hook!.tokens.ensure(project) } : undefined;
    const { deployClusterRole, managerAccess } = this.options;
    const status = await cluster.provisioner.ensure({
      project, setting: spec, managedNamespaces: [project], managerNamespace: this.options.managerNamespace, allowPrivileged,
      ...(registryNotification && { registryNotification }),
      ...(deployClusterRole !== undefined && { deployClusterRole }),
      // In another cluster the manager acts as that kubeconfig's user, which holds its rights there already.
      ...(managerAccess !== undefined && cluster === this.clusters.management && { managerAccess }),
      ...(registryProxy && { registryProxy }),
    });
    this.applied.set(project, { fingerprint, at: now, status });
    return status;
  }
}
