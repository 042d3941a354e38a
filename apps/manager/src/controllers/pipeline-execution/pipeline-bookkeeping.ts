// When an execution is over, its Pipeline remembers it: the last execution and its phase, and the node it ran
// on at the front of the recent nodes (DESIGN §5), so the next build pod prefers that warm node.
import { Keelson, KubeClient, retryOnConflict, type ObjectOf } from '@keelson/kube';
import { sameValue } from '../same-value';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;
type PipelineStatus = NonNullable<ObjectOf<typeof Keelson.Pipeline>['status']>;

export function pipelineStatusAfter(status: PipelineStatus | undefined, exe: Execution, rememberedNodes: number): PipelineStatus {
  const current: PipelineStatus = status ?? { nextRun: (exe.spec.run ?? 0) + 1 };
  const next: PipelineStatus = { ...current };
  const run = exe.spec.run ?? 0;
  if (!current.lastExecution || current.lastExecution.run <= run) {
    next.lastExecution = { name: exe.metadata.name!, run, phase: exe.status!.phase!, ...(exe.status?.startTime ? { startTime: exe.status.startTime } : {}) };
  }
  const node = exe.status?.node;
  const used = exe.status?.completionTime ?? exe.status?.startTime;
  if (node && used && rememberedNodes > 0) {
    const known = current.recentNodes ?? [];
    const mine = known.find((n) => n.name === node);
    // An older run finishing late must not push a fresher node down.
    if (!mine || mine.lastUsed < used) {
      next.recentNodes = [{ name: node, lastUsed: used }, ...known.filter((n) => n.name !== node)]
        .sort((a, b) => b.lastUsed.localeCompare(a.lastUsed)).slice(0, rememberedNodes);
    }
  }
  return next;
}

export async function recordOnPipeline(kube: KubeClient, exe: Execution, rememberedNodes: number): Promise<void> {
  const pipelines = kube.resource(Keelson.Pipeline);
  await retryOnConflict(async () => {
    let pipeline: ObjectOf<typeof Keelson.Pipeline>;
    try {
      pipeline = await pipelines.get(exe.metadata.namespace, exe.spec.pipelineRef.name);
    } catch {
      return; // the pipeline is gone; nothing to remember it on
    }
    const next = pipelineStatusAfter(pipeline.status, exe, rememberedNodes);
    if (sameValue(next, pipeline.status)) return;
    await pipelines.patchStatus(exe.metadata.namespace, exe.spec.pipelineRef.name, { lastExecution: next.lastExecution, recentNodes: next.recentNodes }, pipeline.metadata.resourceVersion);
  }, { attempts: 10 });
}
