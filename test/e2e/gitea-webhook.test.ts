// Git triggers end to end against a real Gitea on the local cluster: Keelson registers the Pipeline's webhook in
// Gitea with the pipeline's credential, a real `git push` makes Gitea deliver its real signed webhook, exactly one
// execution runs to Succeeded, the commit status shows in Gitea's API, and deleting the Pipeline removes the hook.
// The figures (push → execution, push → commit status) are printed for the closing note.
import { randomBytes } from 'node:crypto';
import { Core, Keelson } from '@keelson/kube';
import { freePort, GitRepository, startGitea, waitFor, type Gitea } from '@keelson/servers';
import { KeelsonStack, SAMPLE_DEVOPS_YML } from '../support/keelson-stack';

const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

let stack: KeelsonStack;
let gitea: Gitea;
let work: GitRepository;
let token: string;
let cloneUrl: string;

interface GiteaHook { id: number; config: { url: string } }
interface GiteaStatus { status: string; context: string; target_url?: string; description: string }

const hooks = () => gitea.api<GiteaHook[]>(token, 'GET', '/repos/alice/app/hooks');
const executions = async () => (await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.pipelineRef.name === 'app');

beforeAll(async () => {
  gitea = await startGitea();
  ({ token } = await gitea.createUser('alice', PASSWORD));
  cloneUrl = (await gitea.createRepo(token, 'app')).clone_url;
  work = await GitRepository.create({ '.devops.yml': SAMPLE_DEVOPS_YML, 'main.go': 'package main\n' });
  await work.push({ url: cloneUrl, username: 'alice', password: PASSWORD }, 'HEAD:refs/heads/main');

  stack = await KeelsonStack.start({ manager: false });
  const port = String(await freePort());
  await stack.startManager({ PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, CONSOLE_URL: 'https://console.example.com', WEBHOOK_REPAIR_SECONDS: '2' });
  const kube = stack.kube;
  await kube.resource(Core.Secret).create({ metadata: { name: 'alice-gitea-token', namespace: 'demo' }, stringData: { accessToken: token } });
  await kube.resource(Keelson.SourceCodeProvider).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeProvider', metadata: { name: 'gitea', namespace: 'demo' },
    spec: { type: 'gitea', serverUrl: gitea.url, enabled: true },
  } as never);
  await kube.resource(Keelson.SourceCodeCredential).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { name: 'alice', namespace: 'demo' },
    spec: { providerRef: { name: 'gitea' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-gitea-token', key: 'accessToken' } },
  } as never);
  await stack.createPipeline('app', 'demo', { repositoryUrl: cloneUrl, credentialRef: { name: 'alice' } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await work?.remove();
  await gitea?.close();
});

describe('a pipeline of a Gitea repository', () => {
  it('gets its webhook registered in Gitea by Keelson', async () => {
    let id: string | undefined;
    await waitFor('status.webhook.id', async () => {
      id = (await stack.kube.resource(Keelson.Pipeline).get('demo', 'app')).status?.webhook?.id;
      return id !== undefined;
    }, { timeoutMs: 60_000 });
    const registered = await hooks();
    expect(registered.map((h) => String(h.id))).toEqual([id]);
    expect(registered[0].config.url).toBe(`${stack.manager.url}/hooks/pipelines/demo/app`);
    const pipeline = await stack.kube.resource(Keelson.Pipeline).get('demo', 'app');
    expect(pipeline.status?.conditions?.find((c) => c.type === 'WebhookRegistered')).toMatchObject({ status: 'True', reason: 'Registered' });
    expect(pipeline.metadata.finalizers).toContain('devops.keelson.dev/provider-webhook');
  });

  it('runs a real git push once, and shows the result as a commit status in Gitea', async () => {
    const sha = await work.commit({ 'README.md': 'pushed\n' }, 'Push from the test');
    const pushedAt = Date.now();
    await work.push({ url: cloneUrl, username: 'alice', password: PASSWORD }, 'HEAD:refs/heads/main');

    let createdAt = 0;
    await waitFor('the execution of the push', async () => {
      const found = (await executions()).filter((e) => e.spec.commit === sha);
      if (found.length > 0 && !createdAt) createdAt = Date.now();
      return found.length > 0;
    }, { timeoutMs: 30_000, intervalMs: 50 });
    const [exe] = (await executions()).filter((e) => e.spec.commit === sha);
    expect(exe.spec).toMatchObject({ branch: 'main', trigger: { event: 'push' }, title: 'Push from the test', repositoryUrl: cloneUrl });
    const done = await stack.waitForPhase(exe.metadata.name!, ['Succeeded', 'Failed', 'Aborted']);
    expect(done.status?.phase).toBe('Succeeded');

    let statusAt = 0;
    let statuses: GiteaStatus[] = [];
    await waitFor('the success status in Gitea', async () => {
      statuses = await gitea.api<GiteaStatus[]>(token, 'GET', `/repos/alice/app/statuses/${sha}`);
      const success = statuses.some((s) => s.context === 'keelson/app' && s.status === 'success');
      if (success && !statusAt) statusAt = Date.now();
      return success;
    }, { timeoutMs: 60_000, intervalMs: 100 });
    expect(statuses.find((s) => s.status === 'success')).toMatchObject({
      context: 'keelson/app', target_url: `https://console.example.com/p/demo/pipelines/app/runs/${exe.metadata.name}`,
    });
    // Gitea's own redelivery logic aside, one push made one execution.
    expect((await executions()).filter((e) => e.spec.commit === sha)).toHaveLength(1);
    process.stdout.write(`[gitea e2e] git push → execution exists: ${createdAt - pushedAt} ms; → success commit status visible: ${statusAt - pushedAt} ms (build included)\n`);
  }, 180_000);

  it('registers the hook again when someone deletes it in Gitea', async () => {
    const [old] = await hooks();
    await gitea.api(token, 'DELETE', `/repos/alice/app/hooks/${old.id}`);
    // Checked every 2 s here (WEBHOOK_REPAIR_SECONDS), on the controllers' resync.
    await waitFor('a new hook', async () => (await hooks()).length === 1, { timeoutMs: 60_000 });
    const [repaired] = await hooks();
    expect(repaired.id).not.toBe(old.id);
    await waitFor('status.webhook.id names it', async () => (await stack.kube.resource(Keelson.Pipeline).get('demo', 'app')).status?.webhook?.id === String(repaired.id), { timeoutMs: 30_000 });
  });

  it('removes the hook from Gitea when the Pipeline is deleted', async () => {
    expect((await hooks()).length).toBe(1);
    await stack.kube.resource(Keelson.Pipeline).delete('demo', 'app');
    await waitFor('the hook gone from Gitea', async () => (await hooks()).length === 0, { timeoutMs: 60_000 });
    await waitFor('the pipeline gone', async () => !(await stack.kube.resource(Keelson.Pipeline).find('demo', 'app')), { timeoutMs: 60_000 });
  });
});
