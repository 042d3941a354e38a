// Where a build pod stands with the scheduler, read from the pod as the data plane's apiserver has it: its node
// and when it was placed (the PodScheduled condition), whether that node is one the pipeline prefers (the compiler
// gives the pod preferred affinity to the pipeline's recent nodes, DESIGN §5: a warm node), or why it cannot be
// placed (the scheduler's own message). Pure.
import type { Pod } from '@keelson/kube';

export interface BuildPodPlacement {
  node?: string;
  /** When the scheduler placed it (the PodScheduled condition's lastTransitionTime). */
  scheduledAt?: number;
  /** Placed on one of the nodes its preferred affinity names: the pipeline's cache is warm there. */
  warm?: boolean;
  /** The pod's phase (Pending, Running, ...). */
  phase?: string;
  /** Not placed, with the scheduler's reason (`Unschedulable`) and message ("0/3 nodes are available: ..."). */
  unschedulable?: { reason: string; message: string };
}

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface MatchField {
  key?: string;
  operator?: string;
  values?: string[];
}

export function buildPodPlacement(pod: Pod): BuildPodPlacement {
  const spec = pod.spec as { nodeName?: string; affinity?: { nodeAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: Array<{ preference?: { matchFields?: MatchField[] } }> } } };
  const conditions = (pod.status?.conditions ?? []) as PodCondition[];
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  const placement: BuildPodPlacement = { ...(pod.status?.phase && { phase: pod.status.phase }) };
  if (spec.nodeName) {
    placement.node = spec.nodeName;
    const at = scheduled?.status === 'True' && scheduled.lastTransitionTime ? Date.parse(scheduled.lastTransitionTime) : NaN;
    if (!Number.isNaN(at)) placement.scheduledAt = at;
    placement.warm = preferredNodes(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).has(spec.nodeName);
  } else if (scheduled?.status === 'False') {
    placement.unschedulable = { reason: scheduled.reason ?? 'Unschedulable', message: (scheduled.message ?? '').slice(0, 1024) };
  }
  return placement;
}

/** Node names a preferred affinity names by `metadata.name` (how the compiler writes recent nodes). */
function preferredNodes(terms: Array<{ preference?: { matchFields?: MatchField[] } }> | undefined): Set<string> {
  const names = new Set<string>();
  for (const term of terms ?? []) {
    for (const field of term.preference?.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In') for (const v of field.values ?? []) names.add(v);
    }
  }
  return names;
}
