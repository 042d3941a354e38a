// "Failing default branches": pipelines whose latest finished run on the repository's default branch failed. The
// default branch is the SourceCodeRepository's (matched by clone URL); a repository Keelson has not listed is taken
// to default to main or master. Computed from one bounded list of finished runs, newest first, never one request
// per pipeline.
import type { Pipeline, PipelineExecution, SourceCodeRepository } from './types';

export interface FailingBranch {
  pipeline: Pipeline;
  branch: string;
  run: PipelineExecution;
}

const FALLBACK_DEFAULTS = ['main', 'master'];

/** A clone URL reduced to what names the repository: host and path, without `.git`, case-folded. */
export function repositoryKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`.toLowerCase();
  } catch {
    return url.trim().replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
  }
}

export function failingDefaultBranches(pipelines: Pipeline[], repositories: SourceCodeRepository[], finishedRuns: PipelineExecution[]): FailingBranch[] {
  const defaults = new Map<string, string>();
  for (const r of repositories) if (r.spec.defaultBranch) defaults.set(`${r.metadata.namespace}/${repositoryKey(r.spec.url)}`, r.spec.defaultBranch);
  const created = (e: PipelineExecution) => Date.parse(e.metadata.creationTimestamp ?? e.status?.queuedTime ?? '') || 0;
  const newestFirst = [...finishedRuns].sort((a, b) => created(b) - created(a));
  const failing: FailingBranch[] = [];
  for (const pipeline of pipelines) {
    const ns = pipeline.metadata.namespace ?? '';
    const known = defaults.get(`${ns}/${repositoryKey(pipeline.spec.repositoryUrl)}`);
    const branches = known ? [known] : FALLBACK_DEFAULTS;
    const latest = newestFirst.find((e) => (e.metadata.namespace ?? '') === ns && e.spec.pipelineRef.name === pipeline.metadata.name
      && e.spec.branch !== undefined && branches.includes(e.spec.branch) && (e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed'));
    if (latest?.status?.phase === 'Failed') failing.push({ pipeline, branch: latest.spec.branch!, run: latest });
  }
  return failing;
}
