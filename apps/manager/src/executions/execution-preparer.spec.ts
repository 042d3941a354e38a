import { MAX_CONFIG_WARNINGS, type Pipeline } from '@keelson/crds';
import type { ConfigSource, FoundFile } from '@keelson/git-source';
import type { KubeClient } from '@keelson/kube';
import { ExecutionPreparer, warningRecords } from './execution-preparer';

const SHA = 'a'.repeat(40);
const DEVOPS = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: node}\n';
const RANCHER = `${DEVOPS}notification: {}\n`;

/** A repository at one commit, holding `files`; records the names each read asked for. */
function aRepository(files: Record<string, string>) {
  const asked: string[][] = [];
  const source: ConfigSource = {
    resolveCommit: async () => SHA,
    readFile: async (_url, _commit, path) => files[path],
    readFirstFile: async (_url, _commit, paths): Promise<FoundFile | undefined> => {
      asked.push([...paths]);
      const path = paths.find((p) => p in files);
      return path === undefined ? undefined : { path, text: files[path] };
    },
  };
  return { source, asked };
}

function aPipeline(configPath?: string): Pipeline {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web', namespace: 'demo' },
    spec: { repositoryUrl: 'https://git.example/web.git', suspend: false, ...(configPath && { configPath }) },
  } as unknown as Pipeline;
}

// No credentialRef: the preparer never asks the apiserver.
const kube = {} as KubeClient;
const prepare = (files: Record<string, string>, configPath?: string) => {
  const repo = aRepository(files);
  return { repo, prepared: new ExecutionPreparer(kube, repo.source).prepare(aPipeline(configPath), { branch: 'main' }) };
};

describe('ExecutionPreparer: which file', () => {
  it('reads .devops.yml first, then .devops.yaml, .rancher-pipeline.yml and .rancher-pipeline.yaml, in one read', async () => {
    const { repo, prepared } = prepare({ '.rancher-pipeline.yaml': RANCHER, '.rancher-pipeline.yml': RANCHER, '.devops.yaml': DEVOPS });
    expect((await prepared).spec.configPath).toBe('.devops.yaml');
    expect(repo.asked).toEqual([['.devops.yml', '.devops.yaml', '.rancher-pipeline.yml', '.rancher-pipeline.yaml']]);
  });

  it.each([
    ['.devops.yml', { '.devops.yml': DEVOPS, '.rancher-pipeline.yml': RANCHER }],
    ['.rancher-pipeline.yml', { '.rancher-pipeline.yml': RANCHER, '.rancher-pipeline.yaml': RANCHER }],
    ['.rancher-pipeline.yaml', { '.rancher-pipeline.yaml': RANCHER }],
  ])('records the file it read, %s, in spec.configPath', async (path, files) => {
    expect((await prepare(files).prepared).spec).toMatchObject({ configPath: path, config: { stages: [{ name: 'build' }] } });
  });

  it('reads a Pipeline\'s own configPath and nothing else', async () => {
    const { repo, prepared } = prepare({ '.devops.yml': DEVOPS, 'ci/pipeline.yml': DEVOPS }, 'ci/pipeline.yml');
    expect((await prepared).spec.configPath).toBe('ci/pipeline.yml');
    expect(repo.asked).toEqual([['ci/pipeline.yml']]);
    const missing = await prepare({ '.rancher-pipeline.yml': RANCHER }, 'ci/pipeline.yml').prepared;
    expect(missing).toMatchObject({ spec: { configPath: 'ci/pipeline.yml' }, configError: `ci/pipeline.yml: not found at commit ${SHA}` });
  });

  it('fails the execution naming every file it looked for when there is none', async () => {
    expect(await prepare({ 'README.md': '' }).prepared).toMatchObject({
      spec: { configPath: '.devops.yml', commit: SHA },
      configError: `.devops.yml, .devops.yaml, .rancher-pipeline.yml, .rancher-pipeline.yaml: not found at commit ${SHA}`,
    });
  });
});

describe('ExecutionPreparer: warnings', () => {
  it('carries a Rancher file\'s warnings with their file, line and column', async () => {
    const prepared = await prepare({ '.rancher-pipeline.yml': RANCHER }).prepared;
    expect(prepared.configError).toBeUndefined();
    expect(prepared.configWarnings).toEqual([{ file: '.rancher-pipeline.yml', line: 5, column: 1, message: expect.stringMatching(/^notification has no recipients: nobody is notified/) }]);
    expect((await prepare({ '.devops.yml': DEVOPS }).prepared).configWarnings).toBeUndefined();
  });

  it('carries them beside the error of a Rancher file that does not run', async () => {
    const prepared = await prepare({ '.rancher-pipeline.yml': RANCHER.replace('image: node', 'imag: node') }).prepared;
    expect(prepared.configError).toBe('.rancher-pipeline.yml:4:5: stages[0].steps[0].runScriptConfig is missing the required key "image"');
    expect(prepared.configWarnings?.map((w) => [w.line, w.column])).toEqual([[4, 23], [5, 1]]);
  });

  it('keeps at most the status\'s bound, the last saying how many more there were', () => {
    const warnings = Array.from({ length: MAX_CONFIG_WARNINGS + 7 }, (_, i) => ({ code: 'UnknownKeyIgnored' as const, file: 'f.yml', line: i + 1, column: 1, path: '', message: 'x'.repeat(2000) }));
    const records = warningRecords(warnings);
    expect(records).toHaveLength(MAX_CONFIG_WARNINGS);
    expect(records[0]).toEqual({ file: 'f.yml', line: 1, column: 1, message: 'x'.repeat(1024) });
    expect(records[MAX_CONFIG_WARNINGS - 1]).toEqual({ file: 'f.yml', line: MAX_CONFIG_WARNINGS, column: 1, message: 'and 8 more warnings from here on; keelson lint f.yml lists them all' });
    expect(warningRecords(warnings.slice(0, MAX_CONFIG_WARNINGS))).toHaveLength(MAX_CONFIG_WARNINGS);
  });
});
