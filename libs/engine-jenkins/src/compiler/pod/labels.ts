// Labels Keelson puts on what it creates in the data plane (build pods, cache volumes and claims).
import { createHash } from 'node:crypto';

export const EXECUTION_LABEL = 'keelson.dev/execution';
/** `"true"` on build pods that run untrusted code (forks, unknown origin); NetworkPolicies select on it. */
export const FORK_LABEL = 'keelson.dev/fork';

/** A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends), hashed when needed. */
export function labelValue(text: string): string {
  if (/^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/.test(text)) return text;
  const hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 10);
  const head = text.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 52).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return head ? `${head}-${hash}` : hash;
}

/** The labels shared by every object of one pipeline. */
export function pipelineLabels(component: string, project: string, pipeline: string): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'keelson',
    'app.kubernetes.io/component': component,
    'keelson.dev/project': labelValue(project),
    'keelson.dev/pipeline': labelValue(pipeline),
  };
}
