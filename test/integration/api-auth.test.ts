import { Controller, Get, INestApplication, Post, Put, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ControlPlane } from '@keelson/servers';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { checkAccess, Core, FakeClock, KubeClient, reviewToken } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ApiAuthGuard, ApiAuthModule, ApiUser, CurrentUser, RequiresAccess } from '../../apps/manager/src/api/auth';

// The REST API's authentication (TokenReview) and authorisation (SubjectAccessReview, RBAC) against a real
// kube-apiserver. The manager asks with a ServiceAccount that holds only system:auth-delegator, as in production.

@Controller('api/v1/namespaces/:ns/pipelineexecutions')
@UseGuards(ApiAuthGuard)
class ExecutionsController {
  @Post()
  @RequiresAccess({ verb: 'create', resource: 'pipelineexecutions' })
  create(@CurrentUser() user: ApiUser): ApiUser {
    return user;
  }

  @Get(':name')
  @RequiresAccess({ verb: 'get', resource: 'pipelineexecutions' })
  get(): { ok: true } {
    return { ok: true };
  }

  @Put(':name/status')
  @RequiresAccess({ verb: 'update', resource: 'pipelineexecutions', subresource: 'status' })
  updateStatus(): { ok: true } {
    return { ok: true };
  }
}

let cp: ControlPlane;
let admin: KubeClient;
let managerKube: KubeClient;
let app: INestApplication;
let url: string;
const clock = new FakeClock();
const GARBAGE = 'garbage-token-that-no-authenticator-knows';

function call(method: string, path: string, token?: string): Promise<Response> {
  return fetch(`${url}/api/v1${path}`, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

/** A bound ServiceAccount token, as `kubectl create token` makes it. */
async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  await admin.resource(Core.ServiceAccount).create({ metadata: { namespace, name } });
  const req = await admin.post<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  return req.status.token;
}

async function grant(namespace: string, name: string, rule: Record<string, unknown>, subject: Record<string, unknown>): Promise<void> {
  await admin.resource(Core.Role).create({ metadata: { namespace, name }, rules: [{ apiGroups: ['devops.keelson.dev'], ...rule }] });
  await admin.resource(Core.RoleBinding).create({
    metadata: { namespace, name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [subject],
  });
}

const alice = { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' };

beforeAll(async () => {
  cp = await ControlPlane.start({ crds: false });
  admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  for (const name of ['keelson-system', 'demo', 'other']) await admin.resource(Core.Namespace).create({ metadata: { name } });

  const managerToken = await serviceAccountToken('keelson-system', 'keelson-manager');
  await admin.resource(Core.ClusterRoleBinding).create({
    metadata: { name: 'keelson-manager-auth-delegator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', namespace: 'keelson-system', name: 'keelson-manager' }],
  });
  managerKube = new KubeClient({ server: cp.server, caPem: cp.certs.caPem, token: managerToken });

  const moduleRef = await Test.createTestingModule({
    imports: [ApiAuthModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube: managerKube, logger: silentLogger, options: { clock } })],
    controllers: [ExecutionsController],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

afterAll(async () => {
  await app?.close();
  await cp?.stop();
});

describe('reviewToken and checkAccess on a real apiserver', () => {
  it('names the user and groups behind a valid token', async () => {
    const review = await reviewToken(managerKube, cp.user.token);
    expect(review.authenticated).toBe(true);
    expect(review.user?.username).toBe('alice');
    expect(review.user?.groups).toEqual(expect.arrayContaining(['keelson:users', 'system:authenticated']));
  });

  it('does not authenticate an unknown token', async () => {
    const review = await reviewToken(managerKube, GARBAGE);
    expect(review.authenticated).toBe(false);
    expect(review.user).toBeUndefined();
  });

  it('allows a cluster admin and denies a user without RBAC', async () => {
    const attrs = { verb: 'create', group: 'devops.keelson.dev', resource: 'pipelineexecutions', namespace: 'demo' };
    expect((await checkAccess(managerKube, { ...attrs, user: 'admin', groups: ['system:masters'] })).allowed).toBe(true);
    expect((await checkAccess(managerKube, { ...attrs, user: 'alice', groups: ['keelson:users'] })).allowed).toBe(false);
  });
});

describe('ApiAuthGuard on a real apiserver', () => {
  it('lets the admin create an execution and tells the handler who asked', async () => {
    const res = await call('POST', '/namespaces/demo/pipelineexecutions', cp.admin.token);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ username: 'admin', groups: expect.arrayContaining(['system:masters']) });
  });

  it('refuses alice with 403 while no RoleBinding lets her create executions', async () => {
    const res = await call('POST', '/namespaces/demo/pipelineexecutions', cp.user.token);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).not.toContain(cp.user.token);
    expect(JSON.parse(text)).toMatchObject({ verb: 'create', resource: 'pipelineexecutions', namespace: 'demo', user: 'alice' });
  });

  it('lets alice create executions in demo once a Role and RoleBinding allow it there, and only there', async () => {
    await grant('demo', 'execution-creator', { resources: ['pipelineexecutions'], verbs: ['create'] }, alice);
    // The refusal above is remembered for the cache lifetime; then the apiserver is asked again.
    expect((await call('POST', '/namespaces/demo/pipelineexecutions', cp.user.token)).status).toBe(403);
    clock.advance(10_000);
    expect((await call('POST', '/namespaces/demo/pipelineexecutions', cp.user.token)).status).toBe(201);
    expect((await call('POST', '/namespaces/other/pipelineexecutions', cp.user.token)).status).toBe(403);
  });

  it('checks the status subresource separately from the resource', async () => {
    expect((await call('PUT', '/namespaces/demo/pipelineexecutions/build-1/status', cp.user.token)).status).toBe(403);
    expect((await call('PUT', '/namespaces/demo/pipelineexecutions/build-1/status', cp.admin.token)).status).toBe(200);
  });

  it('honours resourceNames with the name from the route', async () => {
    await grant('demo', 'build-1-reader', { resources: ['pipelineexecutions'], resourceNames: ['build-1'], verbs: ['get'] }, alice);
    expect((await call('GET', '/namespaces/demo/pipelineexecutions/build-1', cp.user.token)).status).toBe(200);
    expect((await call('GET', '/namespaces/demo/pipelineexecutions/build-2', cp.user.token)).status).toBe(403);
  });

  it('authorises a ServiceAccount token with its own RBAC', async () => {
    const token = await serviceAccountToken('demo', 'ci');
    expect((await call('POST', '/namespaces/demo/pipelineexecutions', token)).status).toBe(403);
    await grant('demo', 'ci-runner', { resources: ['pipelineexecutions'], verbs: ['create'] },
      { kind: 'ServiceAccount', namespace: 'demo', name: 'ci' });
    clock.advance(10_000);
    const res = await call('POST', '/namespaces/demo/pipelineexecutions', token);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ username: 'system:serviceaccount:demo:ci', groups: expect.arrayContaining(['system:serviceaccounts:demo']) });
  });

  it('answers 401 to a garbage token, without echoing it', async () => {
    const res = await call('POST', '/namespaces/demo/pipelineexecutions', GARBAGE);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.text()).not.toContain(GARBAGE);
  });

  it('answers 401 with a Bearer challenge when there is no Authorization header', async () => {
    const res = await call('POST', '/namespaces/demo/pipelineexecutions');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 503 and lets nobody in, admin included, once the apiserver is gone and the cache has expired', async () => {
    await cp.apiserver.stop();
    clock.advance(10_000);
    const res = await call('POST', '/namespaces/demo/pipelineexecutions', cp.admin.token);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain(cp.admin.token);
    expect((await call('POST', '/namespaces/demo/pipelineexecutions', cp.user.token)).status).toBe(503);
  });
});
