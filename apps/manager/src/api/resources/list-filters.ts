// The filters of a list applied to one object: in memory over the informer cache, or to each apiserver page.
import type { KubeObject } from '@keelson/kube';
import { matchesSelector, type LabelSelector } from './label-selector';
import type { ListFilters } from './list-query';

interface ExecutionFields {
  spec?: { pipelineRef?: { name?: string }; branch?: string; tag?: string; trigger?: { event?: string; user?: string } };
  status?: { phase?: string };
}

/** The phase an execution is in; one nobody has looked at yet is Pending. */
export function phaseOf(obj: KubeObject): string {
  return (obj as ExecutionFields).status?.phase ?? 'Pending';
}

export function createdAt(obj: KubeObject): number {
  const t = Date.parse(obj.metadata.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** Whether the filters that are not labels keep `obj` (the label selector is matched apart). */
export function matchesFilters(obj: KubeObject, f: ListFilters): boolean {
  const e = obj as KubeObject & ExecutionFields;
  if (f.pipeline !== undefined && e.spec?.pipelineRef?.name !== f.pipeline) return false;
  if (f.branch !== undefined && e.spec?.branch !== f.branch) return false;
  if (f.event !== undefined && e.spec?.trigger?.event !== f.event) return false;
  if (f.user !== undefined && e.spec?.trigger?.user !== f.user) return false;
  if (f.phase !== undefined && !f.phase.includes(phaseOf(obj))) return false;
  if (f.since !== undefined && createdAt(obj) < f.since) return false;
  if (f.until !== undefined && createdAt(obj) > f.until) return false;
  return true;
}

export function matchesAll(obj: KubeObject, f: ListFilters, selector: LabelSelector | undefined): boolean {
  return matchesSelector(selector, obj.metadata.labels) && matchesFilters(obj, f);
}

/** Whether any filter needs the object itself (not its labels), so the apiserver cannot apply it. */
export function hasObjectFilters(f: ListFilters): boolean {
  return f.pipeline !== undefined || f.branch !== undefined || f.event !== undefined || f.user !== undefined || f.phase !== undefined || f.since !== undefined || f.until !== undefined;
}
