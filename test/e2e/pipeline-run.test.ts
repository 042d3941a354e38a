// A pipeline runs end to end on the local cluster: a manual run over the REST API reads .devops.yml at the
// commit from a real git repository, the data plane is applied, the Jenkins double builds it with a build pod
// that the real scheduler places on a KWOK node, and the sync loop brings every stage to its final phase.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, Keelson } from '@keelson/kube';
import { GitHttpServer, GitRepository, waitFor } from '@keelson/servers';
import { KeelsonStack, SAMPLE_DEVOPS_YML } from '../support/keelson-stack';
import { pipelineSelector } from '../../apps/manager/src/executions/execution-creator.service';

/** Identical KWOK nodes: without affinity the scheduler picks among them at random (see the warm-node test). */
const NODES = 6;
/** Runs that must each land on the warm node. */
const WARM_RUNS = 6;

let stack: KeelsonStack;

beforeAll(async () => {
  stack = await KeelsonStack.start({ nodes: NODES });
  await stack.createPipeline('sample');
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

describe('a manual run', () => {
  it('runs the pipeline at the branch tip to Succeeded, stage by stage, on a node the scheduler chose', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'main' });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toBe('sample-1');
    expect(res.body.spec).toMatchObject({ run: 1, commit: stack.repo.initialCommit, branch: 'main', trigger: { event: 'manual', user: 'admin' } });

    const done = await stack.waitForPhase('sample-1', ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.stages?.map((s) => [s.name, s.phase, s.steps.map((st) => st.phase)])).toEqual([
      ['build', 'Succeeded', ['Succeeded']],
      ['test', 'Succeeded', ['Succeeded', 'Succeeded']],
      ['publish', 'Succeeded', ['Succeeded']],
    ]);
    expect(done.status?.node).toMatch(/^kwok-node-\d$/);
    expect(done.status?.build).toMatchObject({ job: 'sample-1', number: 1 });

    const builds = stack.jenkins.builds('demo-pipeline');
    expect(builds.filter((b) => b.params.EXECUTION_ID === 'sample-1')).toHaveLength(1);

    // The controller records the run on its Pipeline after the execution has ended.
    await waitFor('the run recorded on the pipeline', async () => (await stack.kube.resource(Keelson.Pipeline).get('demo', 'sample')).status?.lastExecution?.name === 'sample-1', { timeoutMs: 20_000 });
    const pipeline = await stack.kube.resource(Keelson.Pipeline).get('demo', 'sample');
    expect(pipeline.status?.nextRun).toBe(2);
    expect(pipeline.status?.lastExecution).toMatchObject({ name: 'sample-1', run: 1, phase: 'Succeeded' });
    expect(pipeline.status?.recentNodes?.[0]?.name).toBe(done.status?.node);
  });

  it('runs an execution created with kubectl naming only the pipeline and a branch', async () => {
    await stack.cluster.kubectl(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name: 'by-hand', namespace: 'demo' },
      spec: { pipelineRef: { name: 'sample' }, branch: 'main' },
    }));
    const done = await stack.waitForPhase('by-hand', ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.spec.run).toBe(2);
    expect(done.spec.commit).toBe(stack.repo.initialCommit);
    // The manager filled in the rest from the Pipeline, as itself: the admission policy lets no one else.
    expect(done.spec).toMatchObject({ repositoryUrl: stack.repo.fileUrl, configPath: '.devops.yml', fork: false, trigger: { event: 'manual' } });
    expect(done.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual(['Pipeline/sample']);
  });

  it('fails at once, with file:line:column, a run whose .devops.yml does not parse', async () => {
    await stack.repo.branch('broken', 'main');
    await stack.repo.checkout('broken');
    const bad = await stack.repo.commit({ '.devops.yml': 'stages:\n- name: x\n  steps:\n  - runScriptConfig: {image: 3}\n' }, 'break the config');
    await stack.repo.checkout('main');
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { commit: bad });
    expect(res.status).toBe(201);
    const failed = await stack.execution(res.body.metadata.name);
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.reason).toMatch(/^\.devops\.yml:\d+:\d+: /);
    expect(stack.jenkins.builds('demo-pipeline').some((b) => b.params.EXECUTION_ID === res.body.metadata.name)).toBe(false);
  });

  it('fails a run the project may not build (a privileged step), with the reason, and starts no build', async () => {
    await stack.repo.branch('privileged', 'main');
    await stack.repo.checkout('privileged');
    await stack.repo.commit({ '.devops.yml': 'stages:\n- name: x\n  steps:\n  - runScriptConfig: {image: docker:27-dind, shellScript: dockerd}\n    privileged: true\n' }, 'privileged');
    await stack.repo.checkout('main');
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'privileged' });
    const failed = await stack.waitForPhase(res.body.metadata.name, ['Failed', 'Succeeded', 'Aborted'], 30_000);
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.reason).toMatch(/privileged/i);
    expect(stack.jenkins.builds('demo-pipeline').some((b) => b.params.EXECUTION_ID === res.body.metadata.name)).toBe(false);
  });

  it('answers 422 for a branch that does not exist and 400 for one git would refuse, creating nothing', async () => {
    const before = (await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.length;
    expect((await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'no-such-branch' })).status).toBe(422);
    expect((await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: '--upload-pack=touch /tmp/x' })).status).toBe(400);
    expect((await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', {})).status).toBe(400);
    expect((await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.length).toBe(before);
  });

  it('refuses a caller without a token, and one whom RBAC does not allow to create executions', async () => {
    expect((await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'main' }, 'not-a-token')).status).toBe(401);
    expect((await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'main' }, stack.cluster.controlPlane.user.token)).status).toBe(403);
  });

  // Chance cannot pass this test. The NODES KWOK nodes are identical and the build pods have no other
  // constraint, so without the affinity the scheduler's tie-break places each pod on any node with probability
  // 1/NODES: WARM_RUNS runs in a row on the warm node by chance is (1/6)^6 = 1/46,656, about 2.1e-5. The pod spec
  // is checked too, so a pod that lands right without the affinity also fails.
  it('gives every build pod a preferred affinity to the previous run\'s node, and the scheduler follows it run after run', async () => {
    await stack.repo.branch('quick', 'main');
    await stack.repo.checkout('quick');
    await stack.repo.commit({ '.devops.yml': 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}\n' }, 'a quick pipeline');
    await stack.repo.checkout('main');
    const warm = (await stack.kube.resource(Keelson.Pipeline).get('demo', 'sample')).status!.recentNodes![0].name;
    const placed: string[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'quick' });
      const name = res.body.metadata.name as string;
      const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
      expect(done.status?.phase).toBe('Succeeded');
      const [build] = stack.jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === name);
      const pod = await stack.kube.resource(Core.Pod).get(build.pod!.namespace, build.pod!.name);
      const affinity = pod.spec.affinity as { nodeAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: unknown[] } } | undefined;
      expect(affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]).toEqual({
        weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [warm] }] },
      });
      expect(done.status?.warmNode).toBe(true);
      placed.push(done.status!.node!);
      // The next pod's affinity is compiled from the Pipeline's recent nodes: wait until this run is recorded there.
      await waitFor(`${name} recorded on the pipeline`, async () => (await stack.kube.resource(Keelson.Pipeline).get('demo', 'sample')).status?.lastExecution?.name === name, { timeoutMs: 20_000 });
    }
    expect(placed).toEqual(Array(WARM_RUNS).fill(warm));
  });
});

describe('a private repository over HTTP', () => {
  let server: GitHttpServer;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'keelson-git-'));
    await GitRepository.create({ '.devops.yml': SAMPLE_DEVOPS_YML }, { dir: join(root, 'app') });
    server = await GitHttpServer.start({ root, username: 'alice', password: 'tok-e2e-private-9f3a' });
    // The token is sent only to its provider's server (ADR 0004).
    await stack.kube.resource(Keelson.SourceCodeProvider).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { name: 'gitea', namespace: 'demo' },
      spec: { type: 'gitea', serverUrl: server.baseUrl, enabled: true },
    });
    await stack.kube.resource(Core.Secret).create({ metadata: { name: 'alice-gitea', namespace: 'demo' }, stringData: { accessToken: 'tok-e2e-private-9f3a' } });
    await stack.kube.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { name: 'alice-gitea', namespace: 'demo' },
      spec: { providerRef: { name: 'gitea' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-gitea', key: 'accessToken' } },
    });
    await stack.createPipeline('private', 'demo', { repositoryUrl: server.url('app'), credentialRef: { name: 'alice-gitea' } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the config with the pipeline\'s token and gives the checkout a Jenkins credential, never the token itself', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/private/run', { branch: 'main' });
    expect(res.status).toBe(201);
    expect(server.requests.some((r) => r.user === 'alice' && r.status === 200)).toBe(true);
    const done = await stack.waitForPhase(res.body.metadata.name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    const job = stack.jenkins.jobConfig('demo-pipeline', done.status!.build!.job)!;
    // The credential is the execution's own, so a build still queued never checks out with a later run's token.
    const credentialId = `${done.metadata.name}-git`;
    expect(job).toContain(`credentialsId: &apos;${credentialId}&apos;`);
    expect(job).not.toContain('tok-e2e-private-9f3a');
    expect(JSON.stringify(done)).not.toContain('tok-e2e-private-9f3a');
    const admin = await stack.jenkinsAdmin();
    const credential = await fetch(`${stack.jenkins.url('demo-pipeline')}/credentials/store/system/domain/_/credential/${credentialId}/config.xml`, {
      headers: { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}` },
    });
    expect(credential.status).toBe(200);
    expect(await credential.text()).toContain('<username>alice</username>');
  });

  it('answers 422 when the repository refuses the token, and names no secret', async () => {
    await stack.kube.resource(Core.Secret).patch('demo', 'alice-gitea', { stringData: { accessToken: 'wrong-token-1234' } });
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/private/run', { branch: 'main' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('RepositoryAccessDenied');
    expect(JSON.stringify(res.body)).not.toContain('wrong-token-1234');
  });
});

describe('metrics', () => {
  it('exports controller-runtime names and the execution phases, sync lag and start-latency breakdown', async () => {
    let text = '';
    await waitFor('the phase gauge', async () => {
      text = await (await fetch(`${stack.manager.url}/metrics`)).text();
      return /^keelson_executions\{phase="Succeeded"\} [1-9]/m.test(text);
    }, { timeoutMs: 15_000 });
    expect(text).toMatch(/^controller_runtime_reconcile_total\{(?=[^}]*controller="pipelineexecution")(?=[^}]*result="success")[^}]*\} [1-9]/m);
    expect(text).toMatch(/^workqueue_depth\{[^}]*name="pipelineexecution"/m);
    expect(text).toMatch(/^controller_runtime_reconcile_time_seconds_count\{controller="pipeline"\} [1-9]/m);
    for (const part of ['queued', 'provisioning', 'jenkins_queue', 'running']) {
      expect(text).toMatch(new RegExp(`^keelson_execution_start_latency_seconds_count\\{part="${part}"\\} [1-9]`, 'm'));
    }
    expect(text).toMatch(/^keelson_sync_lag_seconds_count [1-9]/m);
    expect(text).toMatch(/^keelson_builds_started_total [1-9]/m);
  });
});

describe('steady state', () => {
  it('does not reconcile in a hot loop once everything has finished', async () => {
    const total = async () => {
      const text = await (await fetch(`${stack.manager.url}/metrics`)).text();
      return [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const objects = (await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.length + 2;
    const before = await total();
    await new Promise((r) => setTimeout(r, 6_000));
    // The stack resyncs every 5 s: at most two visits of each object, plus a few events, in 6 s.
    expect(await total() - before).toBeLessThanOrEqual(objects * 2 + 10);
  });
});

describe('the data plane', () => {
  it('is applied into demo-pipeline (Jenkins, the registry, MinIO) and demo-builds (the build ServiceAccount and the builds)', async () => {
    const names = async (resource: string, namespace: string) => (await stack.cluster.kubectl(['get', resource, '-n', namespace, '-o', 'name'])).split('\n').filter(Boolean);
    expect(await names('deployments', 'demo-pipeline')).toEqual(expect.arrayContaining(['deployment.apps/jenkins', 'deployment.apps/registry', 'deployment.apps/minio']));
    expect(await names('serviceaccounts', 'demo-builds')).toEqual(expect.arrayContaining(['serviceaccount/keelson-build']));
    expect(await names('serviceaccounts', 'demo-pipeline')).not.toContain('serviceaccount/keelson-build');
  });
});

describe('stop, rerun, approve and reject', () => {
  const SLOW = `
stages:
- name: wait
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep 120}
`;
  const GATED = `
stages:
- name: gate
  steps:
  - approval: {message: Ship it?}
- name: ship
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo shipped}
`;
  let slowCommit: string;
  let gatedCommit: string;

  beforeAll(async () => {
    await stack.repo.branch('slow');
    await stack.repo.checkout('slow');
    slowCommit = await stack.repo.commit({ '.devops.yml': SLOW }, 'slow');
    await stack.repo.branch('gated', 'main');
    await stack.repo.checkout('gated');
    gatedCommit = await stack.repo.commit({ '.devops.yml': GATED }, 'gated');
  });

  it('stops a running build: the build is aborted in Jenkins and its running stage becomes Aborted', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'slow' });
    const name = res.body.metadata.name;
    await waitFor('the step runs', async () => (await stack.execution(name)).status?.stages?.[0]?.phase === 'Running', { timeoutMs: 60_000 });
    expect((await stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/stop`)).status).toBe(200);
    const done = await stack.waitForPhase(name, ['Aborted', 'Failed', 'Succeeded'], 30_000);
    expect(done.status?.phase).toBe('Aborted');
    expect(done.status?.stages?.[0]).toMatchObject({ phase: 'Aborted' });
    expect(done.spec.commit).toBe(slowCommit);
    await waitFor('Jenkins aborted the build', async () => stack.jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === name)?.result === 'ABORTED', { timeoutMs: 20_000 });
    expect((await stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/stop`)).status).toBe(409);
  });

  it('reruns an execution from the same snapshot and commit, even after the branch moved', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelineexecutions/sample-1/rerun');
    expect(res.status).toBe(201);
    const original = await stack.execution('sample-1');
    expect(res.body.spec).toMatchObject({ commit: original.spec.commit, config: original.spec.config, trigger: { rerunOf: 'sample-1', user: 'admin' } });
    expect(res.body.spec.run).toBeGreaterThan(original.spec.run!);
    expect((await stack.waitForPhase(res.body.metadata.name, ['Succeeded', 'Failed'])).status?.phase).toBe('Succeeded');
  });

  it('waits for an approval, records who approved, and goes on', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'gated' });
    const name = res.body.metadata.name;
    expect(res.body.spec.commit).toBe(gatedCommit);
    await waitFor('the approval waits', async () => (await stack.execution(name)).status?.stages?.[0]?.steps[0]?.phase === 'Waiting', { timeoutMs: 60_000 });
    expect((await stack.execution(name)).status?.reason).toBe('waiting for approval');
    const approved = await stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/approve`, { stage: 'gate', step: 0, comment: 'looks good' });
    expect(approved.status).toBe(200);
    const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.stages?.[0]?.steps[0]?.approval).toMatchObject({ decision: 'Approved', user: 'admin', comment: 'looks good' });
  });

  it('ends the run when the approval is rejected', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'gated' });
    const name = res.body.metadata.name;
    await waitFor('the approval waits', async () => (await stack.execution(name)).status?.stages?.[0]?.steps[0]?.phase === 'Waiting', { timeoutMs: 60_000 });
    expect((await stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/reject`, { stage: 0, step: 0 })).status).toBe(200);
    const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Aborted');
    expect(done.status?.stages?.[0]?.steps[0]?.approval).toMatchObject({ decision: 'Rejected', user: 'admin' });
    expect(done.status?.stages?.[1]?.phase).toBe('Skipped');
  });

  it('answers 409, not 500, to the loser of two approvals sent at once', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/sample/run', { branch: 'gated' });
    const name = res.body.metadata.name;
    await waitFor('the approval waits', async () => (await stack.execution(name)).status?.stages?.[0]?.steps[0]?.phase === 'Waiting', { timeoutMs: 60_000 });
    const answers = await Promise.all([
      stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/approve`, { stage: 0, step: 0 }),
      stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/reject`, { stage: 0, step: 0 }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('NoPendingApproval');
    const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe(answers[0].status === 200 ? 'Succeeded' : 'Aborted');
  });
});

describe('deleting a pipeline', () => {
  it('collects its executions, each deleting its Jenkins job before it goes', async () => {
    const ofSample = { labelSelector: pipelineSelector('sample') };
    const executions = (await stack.kube.resource(Keelson.PipelineExecution).list('demo', ofSample)).items;
    const jobs = executions.map((e) => e.status?.build?.job).filter((j): j is string => Boolean(j));
    expect(jobs.length).toBeGreaterThan(3);
    for (const job of jobs) expect(stack.jenkins.jobConfig('demo-pipeline', job)).toBeDefined();
    expect(executions.every((e) => e.metadata.finalizers?.includes('devops.keelson.dev/jenkins-job'))).toBe(true);
    await stack.kube.resource(Keelson.Pipeline).delete('demo', 'sample');
    await waitFor('its executions to be collected', async () => !(await stack.kube.resource(Keelson.PipelineExecution).list('demo', ofSample)).items.length, { timeoutMs: 60_000 });
    for (const job of jobs) expect(stack.jenkins.jobConfig('demo-pipeline', job)).toBeUndefined();
    expect((await stack.kube.resource(Keelson.Pipeline).list('demo')).items.map((p) => p.metadata.name)).toEqual(['private']);
  });
});
