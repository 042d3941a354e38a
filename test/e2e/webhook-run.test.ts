// A signed push webhook runs the pipeline end to end on the local cluster: the pipeline controller makes the
// webhook Secret and names it in status.webhook, the delivery makes one execution, the execution controller
// completes it from the event (run number, .devops.yml at the pushed commit over http), and the Jenkins double
// builds it. A fork's pull request runs the fork's commit, read without the pipeline's credential; a branch the
// file's top-level filter excludes ends Aborted with the reason. The data plane's provisioning makes the
// project's registry token, and an image pushed to a registry that notifies with it runs at the branch tip.
import { createHmac, randomUUID } from 'node:crypto';
import { dirname, basename } from 'node:path';
import { Core, Keelson } from '@keelson/kube';
import { GitHttpServer, GitRepository, pushImage, RegistryServer, waitFor } from '@keelson/servers';
import { KeelsonStack, SAMPLE_DEVOPS_YML } from '../support/keelson-stack';

let stack: KeelsonStack;
let git: GitHttpServer;
let fork: GitRepository;
let repoUrl: string;
let secret: string;

const sign = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function deliver(event: string, payload: unknown): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${stack.manager.url}/hooks/pipelines/demo/hooked`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(body) },
  });
  return { status: res.status, body: await res.json() };
}

const repository = (fullName: string, url: string, id: number) => ({ id, full_name: fullName, clone_url: url, html_url: url.replace(/\.git$/, '') });
const push = (branch: string, sha: string) => ({
  ref: `refs/heads/${branch}`, after: sha, repository: repository('demo/app', repoUrl, 1),
  head_commit: { id: sha, message: 'Ship it\n\nwith details', author: { name: 'Dev', email: 'dev@example.com' } },
});

beforeAll(async () => {
  stack = await KeelsonStack.start({ managerEnv: { PUBLIC_URL: 'https://keelson.example.com/' } });
  // The stack's repository and a fork of it, both served over http from the same server (the same origin).
  fork = await GitRepository.create({ '.devops.yml': SAMPLE_DEVOPS_YML, 'main.go': 'package main // from a fork\n' });
  git = await GitHttpServer.start({ root: dirname(stack.repo.dir) });
  repoUrl = git.url(basename(stack.repo.dir));
  await stack.createPipeline('hooked', 'demo', { repositoryUrl: repoUrl, triggers: { pullRequest: { enabled: true } } });
  let secretName = '';
  await waitFor('status.webhook', async () => {
    secretName = (await stack.kube.resource(Keelson.Pipeline).get('demo', 'hooked')).status?.webhook?.secretName ?? '';
    return secretName !== '';
  }, { timeoutMs: 30_000 });
  const stored = await stack.kube.resource(Core.Secret).get('demo', secretName);
  secret = Buffer.from((stored.data as Record<string, string>).secret, 'base64').toString('utf8');
}, 240_000);

afterAll(async () => {
  await git?.stop();
  await fork?.remove();
  await stack?.stop();
});

describe('a webhook run', () => {
  it('shows where to deliver and which Secret signs, and keeps the secret out of the Pipeline', async () => {
    const pipeline = await stack.kube.resource(Keelson.Pipeline).get('demo', 'hooked');
    expect(pipeline.status?.webhook).toEqual({ url: 'https://keelson.example.com/hooks/pipelines/demo/hooked', secretName: 'keelson-webhook-hooked' });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(pipeline)).not.toContain(secret);
  });

  it('runs a push at the pushed commit to Succeeded', async () => {
    const answer = await deliver('push', push('main', stack.repo.initialCommit));
    expect(answer.status).toBe(201);
    const name = answer.body.executions[0];
    const done = await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.spec).toMatchObject({
      run: 1, commit: stack.repo.initialCommit, branch: 'main', repositoryUrl: repoUrl, fork: false, title: 'Ship it',
      trigger: { event: 'push' }, author: { name: 'Dev', email: 'dev@example.com' },
    });
    expect(stack.jenkins.builds('demo-pipeline').filter((b) => b.params.EXECUTION_ID === name)).toHaveLength(1);
  });

  it('runs a fork\'s pull request from the fork, marked fork, fetched without credentials', async () => {
    const forkUrl = git.url(basename(fork.dir));
    const answer = await deliver('pull_request', {
      action: 'opened', number: 3, repository: repository('demo/app', repoUrl, 1),
      pull_request: {
        number: 3, title: 'From a fork', user: { login: 'stranger' },
        head: { sha: fork.initialCommit, ref: 'main', repo: repository('stranger/app', forkUrl, 2) },
        base: { sha: stack.repo.initialCommit, ref: 'main', repo: repository('demo/app', repoUrl, 1) },
      },
    });
    expect(answer.status).toBe(201);
    const done = await stack.waitForPhase(answer.body.executions[0], ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.spec).toMatchObject({ fork: true, repositoryUrl: forkUrl, commit: fork.initialCommit, branch: 'main', ref: 'refs/pull/3/head' });
    const forkReads = git.requests.filter((r) => r.path.startsWith(`/${basename(fork.dir)}/`));
    expect(forkReads.length).toBeGreaterThan(0);
    expect(forkReads.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('ends Aborted, saying why, a push to a branch the top-level branch filter excludes', async () => {
    await stack.repo.branch('experiment', 'main');
    await stack.repo.checkout('experiment');
    const sha = await stack.repo.commit({ '.devops.yml': `branch:\n  include: [main]\n${SAMPLE_DEVOPS_YML}` }, 'only main builds');
    await stack.repo.checkout('main');
    const answer = await deliver('push', push('experiment', sha));
    expect(answer.status).toBe(201);
    const done = await stack.waitForPhase(answer.body.executions[0], ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status).toMatchObject({ phase: 'Aborted', reason: '.devops.yml: the top-level branch filter excludes branch "experiment"' });
    expect(stack.jenkins.builds('demo-pipeline').some((b) => b.params.EXECUTION_ID === done.metadata.name)).toBe(false);
  });

  it('runs an image push at the tip of the trigger\'s branch, with the token the data plane\'s provisioning made', async () => {
    // The runs above provisioned demo-pipeline: its registry notifies PUBLIC_URL with the project's token.
    const tokenSecret = await stack.kube.resource(Core.Secret).get('demo', 'keelson-registry-hook');
    const token = Buffer.from((tokenSecret.data as Record<string, string>).token, 'base64').toString('utf8');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const config = await stack.kube.resource(Core.Secret).get('demo-pipeline', 'registry-notifications');
    const [endpoint] = JSON.parse(Buffer.from((config.data as Record<string, string>).endpoints, 'base64').toString('utf8'));
    expect(endpoint).toMatchObject({ url: 'https://keelson.example.com/hooks/registry/demo', headers: { Authorization: [`Bearer ${token}`] } });
    const deployment = JSON.stringify(await stack.kube.resource(Core.Deployment).get('demo-pipeline', 'registry'));
    expect(deployment).toContain('REGISTRY_NOTIFICATIONS_ENDPOINTS');
    expect(deployment).not.toContain(token);

    // The data plane's registry cannot run on simulated nodes: a real one sends the same notifications here.
    await stack.createPipeline('imaged', 'demo', { repositoryUrl: repoUrl, triggers: { push: { enabled: false }, imagePush: { enabled: true, repository: 'demo/app', branch: 'main' } } });
    const registry = await RegistryServer.start({ notificationUrl: `${stack.manager.url}/hooks/registry/demo`, notificationHeaders: { Authorization: [`Bearer ${token}`] } });
    try {
      const pushed = await pushImage(registry.url, 'demo/app', 'v1');
      const imageRuns = async () => (await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === 'imaged');
      await waitFor('the image run', async () => (await imageRuns()).length > 0, { timeoutMs: 30_000 });
      const done = await stack.waitForPhase((await imageRuns())[0].metadata.name!, ['Succeeded', 'Failed', 'Aborted']);
      expect(done.status?.phase).toBe('Succeeded');
      expect(done.spec).toMatchObject({
        commit: stack.repo.initialCommit, branch: 'main', ref: 'refs/heads/main', trigger: { event: 'image' },
        title: 'image demo/app:v1 pushed', message: `demo/app:v1@${pushed.digest}`,
      });
      expect(done.spec.run).toBeGreaterThanOrEqual(1);
      await pushImage(registry.url, 'demo/app', 'v1');
      await new Promise((r) => setTimeout(r, 2000));
      expect(await imageRuns()).toHaveLength(1);
    } finally {
      await registry.stop();
    }
  });
});
