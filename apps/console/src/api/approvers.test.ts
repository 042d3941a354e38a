import { describe, expect, it } from 'vitest';
import { approversOf, mayAnswer } from './approvers';
import { failingDefaultBranches, repositoryKey } from './default-branch';
import type { Pipeline, PipelineExecution } from './types';

const me = { username: 'alice', groups: ['release', 'system:authenticated'] };

describe('mayAnswer (as apps/manager/src/executions/approvers.ts decides)', () => {
  it('lets anyone answer a step that names no one, and only the named users or group members otherwise', () => {
    expect(mayAnswer({ users: [], groups: [] }, me)).toBe(true);
    expect(mayAnswer({ users: ['alice'], groups: [] }, me)).toBe(true);
    expect(mayAnswer({ users: [], groups: ['release'] }, me)).toBe(true);
    expect(mayAnswer({ users: ['bob'], groups: ['ops'] }, me)).toBe(false);
  });

  it('reads the approvers from the run\'s config snapshot, and nothing for a step that is no approval', () => {
    const e = { metadata: { name: 'x' }, spec: { pipelineRef: { name: 'web' }, config: { stages: [{ steps: [{ type: 'runScriptConfig', config: {} }, { type: 'approval', config: { users: ['bob'] } }] }] } } } as PipelineExecution;
    expect(approversOf(e, 0, 1)).toEqual({ users: ['bob'], groups: [] });
    expect(approversOf(e, 0, 0)).toBeUndefined();
    expect(approversOf(e, 3, 0)).toBeUndefined();
  });
});

describe('failingDefaultBranches', () => {
  const pipeline = (name: string, ns = 'demo'): Pipeline => ({ metadata: { name, namespace: ns }, spec: { repositoryUrl: `https://git.example/acme/${name}.git` } });
  const run = (pl: string, n: number, branch: string, phase: string, ns = 'demo'): PipelineExecution => ({
    metadata: { name: `${pl}-${n}`, namespace: ns, creationTimestamp: new Date(Date.UTC(2030, 0, 1, 0, n)).toISOString() },
    spec: { pipelineRef: { name: pl }, branch }, status: { phase: phase as never },
  });

  it('matches a repository by its clone URL, with or without .git', () => {
    expect(repositoryKey('https://Git.Example/acme/web.git')).toBe(repositoryKey('https://git.example/acme/web/'));
  });

  it('takes the latest finished run of the default branch, per namespace, whatever order the list has', () => {
    const failing = failingDefaultBranches([pipeline('web'), pipeline('web', 'other')], [], [run('web', 1, 'main', 'Failed'), run('web', 2, 'main', 'Succeeded'), run('web', 3, 'main', 'Failed', 'other')].reverse());
    expect(failing.map((f) => `${f.pipeline.metadata.namespace}/${f.run.metadata.name}`)).toEqual(['other/web-3']);
  });
});
