// The setting controller owns the data plane's Ready condition: it applies the project's data plane (also on
// every resync, so a hand-deleted object comes back) and reports whether Jenkins answers.
import { Informer, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';
import type { DataPlaneGate } from '../data-plane.gate';
import { sameValue } from '../same-value';

type Setting = ObjectOf<typeof Keelson.PipelineSetting>;

export interface PipelineSettingReconcilerDeps {
  kube: KubeClient;
  settings: Informer<Setting>;
  dataPlane: DataPlaneGate;
  now?: () => Date;
}

export class PipelineSettingReconciler {
  constructor(private readonly deps: PipelineSettingReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deps.settings.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return ReconcileResult.done();
    const client = this.deps.kube.resource(Keelson.PipelineSetting);
    const setting = await client.find(cached.metadata.namespace, cached.metadata.name!);
    if (!setting) return ReconcileResult.done();
    const project = setting.metadata.namespace!;
    const status = await this.deps.dataPlane.ensure(project, setting, { force: true });
    const ready = status.ready
      ? { status: 'True' as const, reason: 'JenkinsAnswers', message: `data plane ready in ${status.namespace}` }
      : { status: 'False' as const, reason: status.reason ?? 'Provisioning', message: (status.message ?? `provisioning ${status.namespace}`).slice(0, 1024) };
    const conditions = setCondition(setting.status?.conditions, {
      type: 'Ready', ...ready, lastTransitionTime: (this.deps.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'), observedGeneration: setting.metadata.generation,
    });
    const next = { observedGeneration: setting.metadata.generation, conditions, dataPlaneNamespace: status.namespace };
    if (!sameValue(next, { observedGeneration: setting.status?.observedGeneration, conditions: setting.status?.conditions, dataPlaneNamespace: setting.status?.dataPlaneNamespace })) {
      await client.patchStatus(project, setting.metadata.name!, next, setting.metadata.resourceVersion);
    }
    return status.ready ? ReconcileResult.done() : ReconcileResult.requeueAfter(5_000);
  }
}
