// The chart's RBAC is exactly enough. The manager runs with nothing but a token of the chart's ServiceAccount, bound
// to the rules `helm template` renders (Secrets of projects scoped to `demo`, the strict mode), against the real
// apiserver, and drives runs to Succeeded: a webhook push and a manual run over the REST API (TokenReview and
// SubjectAccessReview), with a cache path and an opted-in build Secret, history pruning and the GC sweep. A missing
// rule fails a run (or shows up as a 403 in the audit log). Then every grant of the rendered roles is diffed against
// the requests the apiserver audited for that user: a grant nobody used fails the test unless ALLOWLIST names the
// path that needs it.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Core, Keelson, KubeClient, KubeError, type KubeObject } from '@keelson/kube';
import { GitHttpServer, waitFor, writeKubeconfig } from '@keelson/servers';
import { diffUsage, grantKey, parseAuditLog, requestsOf, type RbacObject } from '../harness/rbac-usage';
import { renderChartRbac } from '../support/chart-rbac';
import { KeelsonStack } from '../support/keelson-stack';

const NAMESPACE = 'keelson-system';
const SERVICE_ACCOUNT = 'keelson-manager';
const USER = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
const RELEASE = 'ci';
const PREFIX = 'ci-keelson';

/**
 * Grants the run does not exercise, each with the path that needs it (and where that path is tested). The test
 * fails on an entry that the run did use, or that names no grant: the list cannot go stale.
 */
const ALLOWLIST: Record<string, string> = {
  // Sign-in with a git provider (ADR 0009; test/integration/oauth-gitea.test.ts): the credential and its repositories.
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodecredentials create`]: 'OAuth sign-in creates the user\'s SourceCodeCredential',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodecredentials patch`]: 'OAuth sign-in again, and the credential API, update it',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodecredentials/status patch`]: 'the credential controller reports Ready and the token expiry',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodeproviders/status patch`]: 'the provider controller reports Ready after an API check',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecoderepositories create`]: 'the credential controller lists the user\'s repositories',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecoderepositories patch`]: 'a repository refreshed',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecoderepositories delete`]: 'a repository the user lost',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev pipelines create`]: 'a Pipeline made from a SourceCodeRepository (source-code API)',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecoderepositories get`]: 'the repository a Pipeline is made from (source-code/pipeline-from-repository.ts)',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodecredentials get`]: 'a Pipeline with spec.credentialRef: its credential, read at each run and report (executions/git-auth.ts, scm/scm-access.ts; webhook-run.test.ts)',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev sourcecodeproviders get`]: 'the provider of that credential, read with it',
  [`ClusterRole/${PREFIX}-manager devops.keelson.dev pipelines patch`]: 'the Pipeline controller\'s finalizer, added when it registers a webhook at a provider and removed after (needs a credential; oauth-gitea.test.ts)',
  [`ClusterRole/${PREFIX}-project-secrets core secrets update`]: 'a git token Secret replaced after sign-in (source-code/token-secret.ts)',
  // Failures the run does not have.
  [`ClusterRole/${PREFIX}-project-secrets core secrets delete keelson-registry-pull`]: 'the registry proxy\'s pull Secret in a namespace the project no longer owns (registry-proxy-chart.test.ts)',
  [`ClusterRole/${PREFIX}-manager rbac.authorization.k8s.io rolebindings delete`]: 'a build RoleBinding in a namespace the project no longer owns (data-plane.test.ts)',
  [`ClusterRole/${PREFIX}-manager core persistentvolumes patch`]: 'a Released cache volume handed back to a re-made claim (build-inputs.test.ts)',
  // The single-namespace layout's leftovers (libs/data-plane leftovers.ts; data-plane.test.ts removes them).
  [`ClusterRole/${PREFIX}-data-plane core secrets delete`]: 'registry-push and registry-ca left in <project>-pipeline',
  [`ClusterRole/${PREFIX}-data-plane core serviceaccounts delete`]: 'keelson-build left in <project>-pipeline',
  [`ClusterRole/${PREFIX}-data-plane rbac.authorization.k8s.io roles delete`]: 'the jenkins-agents Role left in <project>-pipeline',
  [`ClusterRole/${PREFIX}-data-plane rbac.authorization.k8s.io rolebindings delete`]: 'the jenkins-agents RoleBinding left in <project>-pipeline',
};

const CONFIG = `cache: {paths: [.cache]}
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo built}
    envFrom:
    - {sourceName: build-token, sourceKey: token, targetKey: TOKEN}
`;

let stack: KeelsonStack;
let git: GitHttpServer;
let webhookSecret = '';
let kubeconfig = '';

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.manager.url}${path}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function deliverPush(sha: string, repoUrl: string): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({
    ref: 'refs/heads/main', after: sha, repository: { id: 1, full_name: 'demo/app', clone_url: repoUrl, html_url: repoUrl.replace(/\.git$/, '') },
    head_commit: { id: sha, message: 'Ship it', author: { name: 'Dev', email: 'dev@example.com' } },
  });
  const res = await fetch(`${stack.manager.url}/hooks/pipelines/demo/hooked`, {
    method: 'POST', body,
    headers: {
      'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`,
    },
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  stack = await KeelsonStack.start({ manager: false, files: { '.devops.yml': CONFIG }, audit: { users: [USER] } });
  const cp = stack.cluster.controlPlane;
  const { yaml } = await renderChartRbac({
    release: RELEASE, namespace: NAMESPACE, set: { 'serviceAccount.name': SERVICE_ACCOUNT, 'rbac.projectNamespaces': '{demo}', 'registryProxy.enabled': 'true' },
    templates: ['templates/rbac.yaml', 'templates/rbac-admission-policy.yaml'],
  });
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT, namespace: NAMESPACE } };
  await stack.cluster.kubectl(['apply', '-f', '-'], `${JSON.stringify(sa)}\n---\n${yaml}`);
  const request = await stack.kube.post<{ status: { token: string } }>(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${SERVICE_ACCOUNT}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  kubeconfig = writeKubeconfig(join(cp.dir, 'chart-sa.kubeconfig'), { server: cp.server, caPem: cp.certs.caPem, token: request.status.token }, 'chart-sa');

  await stack.kube.resource(Core.Secret).create({
    metadata: { name: 'build-token', namespace: 'demo', labels: { 'keelson.dev/build-secret': 'true' } }, type: 'Opaque', stringData: { token: 'opted-in' },
  } as KubeObject);
  await stack.createSetting({ historyLimit: 1 });
  await stack.startManager({
    // What the chart's Deployment sets (docs/operations.md, RBAC).
    KUBECONFIG: kubeconfig, POD_NAMESPACE: NAMESPACE, LEADER_ELECTION_NAMESPACE: NAMESPACE,
    MANAGER_SERVICE_ACCOUNT: SERVICE_ACCOUNT, DATA_PLANE_MANAGER_CLUSTER_ROLE: `${PREFIX}-data-plane`, BUILDS_MANAGER_CLUSTER_ROLE: `${PREFIX}-builds`,
    DATA_PLANE_DEPLOY_CLUSTER_ROLE: `${PREFIX}-deploy`, PUBLIC_URL: 'https://keelson.example.com/', GC_INTERVAL_SECONDS: '2',
    // The registry proxy on (registryProxy.enabled): the CA ConfigMap and the pull Secrets are part of the proof.
    REGISTRY_PROXY_PORT: '34362', REGISTRY_PROXY_CA_CONFIGMAP: `${PREFIX}-registry-cas`, REGISTRY_PROXY_NAMESPACE: NAMESPACE,
  });
  git = await GitHttpServer.start({ root: dirname(stack.repo.dir) });
}, 300_000);

afterAll(async () => {
  await git?.stop();
  await stack?.stop();
});

describe('the manager with only the chart\'s RBAC', () => {
  it('makes the webhook Secret and runs a signed push to Succeeded', async () => {
    const repoUrl = git.url(basename(stack.repo.dir));
    await stack.createPipeline('hooked', 'demo', { repositoryUrl: repoUrl });
    let secretName = '';
    await waitFor('status.webhook', async () => {
      secretName = (await stack.kube.resource(Keelson.Pipeline).get('demo', 'hooked')).status?.webhook?.secretName ?? '';
      return secretName !== '';
    }, { timeoutMs: 30_000 });
    const stored = await stack.kube.resource(Core.Secret).get('demo', secretName);
    webhookSecret = Buffer.from((stored.data as Record<string, string>).secret, 'base64').toString('utf8');

    const answer = await deliverPush(stack.repo.initialCommit, repoUrl);
    expect(answer.status).toBe(201);
    const done = await stack.waitForPhase(answer.body.executions[0], ['Succeeded', 'Failed', 'Aborted'], 120_000);
    expect(done.status?.phase).toBe('Succeeded');
  });

  it('runs a manual run over the REST API to Succeeded, and prunes the history to its limit', async () => {
    const res = await stack.api('/api/v1/namespaces/demo/pipelines/hooked/run', { branch: 'main' });
    expect(res.status).toBe(201);
    const done = await stack.waitForPhase(res.body.metadata.name, ['Succeeded', 'Failed', 'Aborted'], 120_000);
    expect(done.status?.phase).toBe('Succeeded');
    expect((await get('/api/v1/namespaces/demo/queue')).status).toBe(200);
    await waitFor('history pruned to 1', async () => (await stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.length === 1, { timeoutMs: 30_000 });
  });

  it('bound its own roles only in the namespaces it created, and its Jenkins role through them', async () => {
    const bindings = (await stack.kube.resource(Core.RoleBinding).list()).items
      .filter((b) => (b.subjects as Array<{ name: string }> | undefined)?.some((s) => s.name === SERVICE_ACCOUNT));
    expect(bindings.map((b) => `${b.metadata.namespace}/${b.metadata.name} -> ${(b.roleRef as { name: string }).name}`).sort()).toEqual([
      `demo-builds/keelson-manager -> ${PREFIX}-builds`, `demo-pipeline/keelson-manager -> ${PREFIX}-data-plane`,
      `demo/${PREFIX}-project-secrets -> ${PREFIX}-project-secrets`, `${NAMESPACE}/${PREFIX}-manager -> ${PREFIX}-manager`,
    ]);
    // The data plane does not apply a ClusterRole of its own: the build account is bound to the chart's.
    await expect(stack.kube.resource(Core.ClusterRole).find(undefined, 'keelson-deploy')).resolves.toBeUndefined();
    expect((await stack.kube.resource(Core.RoleBinding).get('demo', 'keelson-build-demo')).roleRef).toMatchObject({ name: `${PREFIX}-deploy` });
  });

  it('used every grant of the chart (or the allowlist names the path that needs it), and was refused nothing', async () => {
    // The lease is released, and every request is in the log, once the manager has stopped.
    for (const m of stack.managers.splice(0)) await m.close();
    const { objects } = await renderChartRbac({ release: RELEASE, namespace: NAMESPACE, set: { 'serviceAccount.name': SERVICE_ACCOUNT, 'rbac.projectNamespaces': '{demo}', 'registryProxy.enabled': 'true' } });
    // The deploy role is the build ServiceAccount's (chart-rbac.test.ts compares it with the data plane's); the
    // manager only binds it, which its `bind` grant records.
    const roles = objects.filter((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && o.metadata.name !== `${PREFIX}-deploy`);
    // List items carry no kind: stamp it.
    const list = async (type: typeof Core.RoleBinding) => (await stack.kube.resource(type).list()).items.map((o) => ({ ...o, kind: type.kind }) as unknown as RbacObject);
    const bindings = [...await list(Core.RoleBinding), ...await list(Core.ClusterRoleBinding)];
    const written = [...bindings, ...await list(Core.Role)];
    // Only the ServiceAccount token's requests (the harness's static manager token has the same user name).
    const requests = requestsOf(parseAuditLog(readFileSync(stack.cluster.controlPlane.auditLogPath, 'utf8')), USER, 'system:serviceaccounts');
    expect(requests.length).toBeGreaterThan(100);

    const report = diffUsage({ roles, bindings, subject: { namespace: NAMESPACE, name: SERVICE_ACCOUNT }, writer: 'keelson', requests, written });
    if (process.env.KEELSON_RBAC_REPORT) {
      writeFileSync(process.env.KEELSON_RBAC_REPORT, JSON.stringify({ requests: requests.length, used: Object.fromEntries(report.used), unused: report.unused.map(grantKey) }, null, 2));
    }
    expect(report.forbidden.map((r) => `${r.verb} ${r.uri}`)).toEqual([]);
    expect(report.unbound).toEqual([]);
    const unusedUnlisted = report.unused.map(grantKey).filter((k) => !(k in ALLOWLIST));
    expect(unusedUnlisted).toEqual([]);
    const listedButUsed = Object.keys(ALLOWLIST).filter((k) => report.used.has(k)).map((k) => `${k} (used: ${report.used.get(k)})`);
    expect(listedButUsed).toEqual([]);
    const allGrants = new Set([...report.used.keys(), ...report.unused.map(grantKey)]);
    expect(Object.keys(ALLOWLIST).filter((k) => !allGrants.has(k))).toEqual([]);
  });

  // After the diff: these refusals are meant, and land in the audit log too.
  it('cannot, with its own token, bind its roles outside its namespaces, bind the deploy role to anyone, or adopt a namespace', async () => {
    const asManager = new KubeClient({ kubeconfigPath: kubeconfig });
    const refusal = (p: Promise<unknown>) => p.then(() => 'allowed', (err: KubeError) => `${err.status} ${err.message}`);
    const binding = (namespace: string, role: string, subject: { name: string; namespace: string }) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `try-${role}`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', ...subject }],
    });
    const self = { name: SERVICE_ACCOUNT, namespace: NAMESPACE };
    expect(await refusal(asManager.resource(Core.RoleBinding).create(binding('demo', `${PREFIX}-data-plane`, self)))).toMatch(/^403 .*binds ci-keelson-data-plane only to itself and only in namespaces it created/);
    expect(await refusal(asManager.resource(Core.RoleBinding).create(binding('kube-system', `${PREFIX}-builds`, self)))).toMatch(/^403 .*only in namespaces it created/);
    // In its own namespace, to someone else.
    expect(await refusal(asManager.resource(Core.RoleBinding).create(binding('demo-builds', `${PREFIX}-builds`, { name: 'default', namespace: 'demo-builds' })))).toMatch(/^403 .*only to itself/);
    expect(await refusal(asManager.resource(Core.RoleBinding).create(binding('demo', `${PREFIX}-deploy`, { name: 'default', namespace: 'demo' })))).toMatch(/^403 .*only to the keelson-build ServiceAccount/);
    expect(await refusal(asManager.resource(Core.Namespace).patch(undefined, 'demo', { metadata: { labels: { 'app.kubernetes.io/managed-by': 'keelson' } } }))).toMatch(/^403 .*changes only namespaces it created/);
    // RBAC alone refuses what the chart does not grant at all.
    expect(await refusal(asManager.resource(Core.RoleBinding).create(binding('demo', 'cluster-admin', self)))).toMatch(/^403 /);
  });
});
