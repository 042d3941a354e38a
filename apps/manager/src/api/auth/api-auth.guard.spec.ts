import { inspect } from 'node:util';
import { Controller, Get, INestApplication, Module, Param, Post, Put, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { AccessAttributes, AccessDecision, FakeClock, KubeClient, TokenReviewResult } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { ACCESS_REVIEW_PORT, AccessReviewPort } from './access-review.port';
import { accessTarget, ApiAuthGuard } from './api-auth.guard';
import { ApiAuthModule } from './api-auth.module';
import { ApiAuthService } from './api-auth.service';
import { ApiUser } from './api-user';
import { CurrentUser } from './current-user.decorator';
import { RequiresAccess } from './requires-access.decorator';

const ALICE_TOKEN = 'alice-token-0123456789abcdef';

/** Stands in for the apiserver: alice may create pipelineexecutions in `demo`, nothing else. */
class StubReviews implements AccessReviewPort {
  readonly tokenCalls: string[] = [];
  readonly accessCalls: AccessAttributes[] = [];
  failTokenReview = false;
  failAccessReview = false;

  async reviewToken(token: string): Promise<TokenReviewResult> {
    this.tokenCalls.push(token);
    if (this.failTokenReview) throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    if (token !== ALICE_TOKEN) return { authenticated: false, error: 'invalid bearer token' };
    return { authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['keelson:users', 'system:authenticated'] } };
  }

  async checkAccess(attrs: AccessAttributes): Promise<AccessDecision> {
    this.accessCalls.push(attrs);
    if (this.failAccessReview) throw new Error('the server is currently unable to handle the request');
    const allowed = attrs.user === 'alice' && attrs.namespace === 'demo' && attrs.resource === 'pipelineexecutions'
      && attrs.group === 'devops.keelson.dev' && ['create', 'get'].includes(attrs.verb) && !attrs.subresource;
    return { allowed, reason: allowed ? 'RBAC: allowed' : '' };
  }
}

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
  get(@Param('name') name: string): { name: string } {
    return { name };
  }

  @Put(':name/status')
  @RequiresAccess({ verb: 'update', resource: 'pipelineexecutions', subresource: 'status' })
  updateStatus(): { ok: boolean } {
    return { ok: true };
  }

  @Get(':name/undeclared')
  undeclared(): { ok: boolean } {
    return { ok: true };
  }
}

@Controller('api/v1/namespaces/:ns/pipelines')
@UseGuards(ApiAuthGuard)
@RequiresAccess({ verb: 'create', resource: 'pipelineexecutions', nameParam: false })
class PipelinesController {
  @Post(':name/run')
  run(@CurrentUser() user: ApiUser): { by: string } {
    return { by: user.username };
  }
}

/** Another engineer's module: it neither imports ApiAuthModule nor provides anything for the guard. */
@Controller('api/v1/namespaces/:ns/pipelinesettings')
@UseGuards(ApiAuthGuard)
class SettingsController {
  @Get(':name')
  @RequiresAccess({ verb: 'get', resource: 'pipelinesettings' })
  get(@CurrentUser() user: ApiUser): { by: string } {
    return { by: user.username };
  }
}

@Module({ controllers: [SettingsController] })
class SettingsModule {}

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(lines: LogLine[], base: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields: { ...base, ...fields }, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (f) => recordingLogger(lines, { ...base, ...f }) };
}

interface Harness {
  app: INestApplication;
  url: string;
  reviews: StubReviews;
  clock: FakeClock;
  logs: LogLine[];
  call(method: string, path: string, token?: string | null, header?: string): Promise<Response>;
}

async function startApp(env: Record<string, string> = {}): Promise<Harness> {
  const reviews = new StubReviews();
  const clock = new FakeClock();
  const logs: LogLine[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [ApiAuthModule.forRoot({
      config: loadConfig(MANAGER_VARIABLES, env), kube: {} as KubeClient, logger: recordingLogger(logs), options: { clock },
    }), SettingsModule],
    controllers: [ExecutionsController, PipelinesController],
  }).overrideProvider(ACCESS_REVIEW_PORT).useValue(reviews).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const call = (method: string, path: string, token: string | null = ALICE_TOKEN, header?: string) => fetch(`${url}${path}`, {
    method, headers: header !== undefined ? { Authorization: header } : token ? { Authorization: `Bearer ${token}` } : {},
  });
  return { app, url, reviews, clock, logs, call };
}

const EXECUTIONS = '/api/v1/namespaces/demo/pipelineexecutions';

describe('ApiAuthGuard', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApp();
  });
  afterEach(() => h.app.close());

  it('lets an allowed caller through and hands the authenticated user to the handler', async () => {
    const res = await h.call('POST', EXECUTIONS);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ username: 'alice', uid: 'u-1', groups: ['keelson:users', 'system:authenticated'] });
    expect(h.reviews.accessCalls).toEqual([{
      user: 'alice', uid: 'u-1', groups: ['keelson:users', 'system:authenticated'], extra: undefined,
      verb: 'create', group: 'devops.keelson.dev', resource: 'pipelineexecutions', subresource: undefined, namespace: 'demo', name: undefined,
    }]);
  });

  it('asks about the namespace, name and subresource of the route', async () => {
    expect((await h.call('GET', `${EXECUTIONS}/build-7`)).status).toBe(200);
    expect((await h.call('PUT', `${EXECUTIONS}/build-7/status`)).status).toBe(403);
    expect(h.reviews.accessCalls.map((a) => [a.verb, a.namespace, a.name, a.subresource])).toEqual([
      ['get', 'demo', 'build-7', undefined], ['update', 'demo', 'build-7', 'status'],
    ]);
  });

  it('applies a controller-wide requirement and leaves the name out when the route names another kind', async () => {
    const res = await h.call('POST', '/api/v1/namespaces/demo/pipelines/web/run');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ by: 'alice' });
    expect(h.reviews.accessCalls[0]).toMatchObject({ verb: 'create', resource: 'pipelineexecutions', namespace: 'demo', name: undefined });
  });

  it('guards a controller of another module that does not import ApiAuthModule', async () => {
    expect((await h.call('GET', '/api/v1/namespaces/demo/pipelinesettings/default')).status).toBe(403);
    expect((await h.call('GET', '/api/v1/namespaces/demo/pipelinesettings/default', null)).status).toBe(401);
    expect(h.reviews.accessCalls).toEqual([expect.objectContaining({ verb: 'get', resource: 'pipelinesettings', namespace: 'demo', name: 'default' })]);
  });

  it('answers 401 with a Bearer challenge when there is no Authorization header, without asking the apiserver', async () => {
    const res = await h.call('POST', EXECUTIONS, null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(h.reviews.tokenCalls).toEqual([]);
  });

  it.each([['Basic YWxpY2U6c2VjcmV0'], ['Bearer'], ['Bearer two words'], [`Token ${ALICE_TOKEN}`]])(
    'answers 401 to the malformed Authorization header %p', async (header) => {
      const res = await h.call('POST', EXECUTIONS, null, header);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(h.reviews.tokenCalls).toEqual([]);
    },
  );

  it('answers 401 to a token the apiserver does not accept, and does not echo it', async () => {
    const res = await h.call('POST', EXECUTIONS, 'not-a-real-token');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.text()).not.toContain('not-a-real-token');
    expect(h.reviews.accessCalls).toEqual([]);
  });

  it('answers 403 naming the verb, resource and namespace when RBAC says no, and never echoes the token', async () => {
    const res = await h.call('POST', '/api/v1/namespaces/other/pipelineexecutions');
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).not.toContain(ALICE_TOKEN);
    expect(JSON.parse(text)).toMatchObject({
      type: 'https://keelson.dev/problems/forbidden', status: 403, code: 'Forbidden', user: 'alice', verb: 'create', group: 'devops.keelson.dev', resource: 'pipelineexecutions', namespace: 'other',
      detail: 'user "alice" may not create pipelineexecutions in namespace "other"',
    });
  });

  it('answers 503 and lets nobody in when the token review fails', async () => {
    h.reviews.failTokenReview = true;
    const res = await h.call('POST', EXECUTIONS);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).not.toContain(ALICE_TOKEN);
  });

  it('answers 503 and lets nobody in when the access review fails', async () => {
    h.reviews.failAccessReview = true;
    expect((await h.call('POST', EXECUTIONS)).status).toBe(503);
  });

  it('does not remember a failed review: the next request asks again', async () => {
    h.reviews.failTokenReview = true;
    expect((await h.call('POST', EXECUTIONS)).status).toBe(503);
    h.reviews.failTokenReview = false;
    expect((await h.call('POST', EXECUTIONS)).status).toBe(201);
    expect(h.reviews.tokenCalls).toHaveLength(2);
  });

  it('asks the apiserver once for a burst of identical requests, and again once the answers are 10 s old', async () => {
    const burst = await Promise.all(Array.from({ length: 10 }, () => h.call('POST', EXECUTIONS)));
    expect(burst.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(h.reviews.tokenCalls).toHaveLength(1);
    expect(h.reviews.accessCalls).toHaveLength(1);

    h.clock.advance(10_000);
    expect((await h.call('POST', EXECUTIONS)).status).toBe(201);
    expect(h.reviews.tokenCalls).toHaveLength(2);
    expect(h.reviews.accessCalls).toHaveLength(2);
  });

  it('reuses the token review but asks again for a different namespace', async () => {
    await h.call('POST', EXECUTIONS);
    await h.call('POST', '/api/v1/namespaces/other/pipelineexecutions');
    expect(h.reviews.tokenCalls).toHaveLength(1);
    expect(h.reviews.accessCalls.map((a) => a.namespace)).toEqual(['demo', 'other']);
  });

  it('keeps only a hash of the token in its caches', async () => {
    await h.call('POST', EXECUTIONS);
    await h.call('POST', EXECUTIONS, 'not-a-real-token');
    const service = h.app.get(ApiAuthService) as unknown as Record<string, unknown>;
    const state = inspect([service.tokenReviews, service.accessReviews], { depth: 8, maxStringLength: Infinity });
    expect(state).toMatch(/[0-9a-f]{64}/);
    expect(state).not.toContain(ALICE_TOKEN);
    expect(state).not.toContain('not-a-real-token');
  });

  it('refuses a guarded route that declares no requirement, and logs which one', async () => {
    const res = await h.call('GET', `${EXECUTIONS}/build-7/undeclared`);
    expect(res.status).toBe(500);
    expect(h.reviews.tokenCalls).toEqual([]);
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ route: 'ExecutionsController.undeclared' }) }));
  });

  it('never writes the token to the log', async () => {
    await h.call('POST', EXECUTIONS, 'not-a-real-token');
    await h.call('POST', '/api/v1/namespaces/other/pipelineexecutions');
    h.reviews.failTokenReview = true;
    h.clock.advance(10_000);
    await h.call('POST', EXECUTIONS);
    const logged = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThanOrEqual(3);
    expect(logged).not.toContain(ALICE_TOKEN);
    expect(logged).not.toContain('not-a-real-token');
  });
});

describe('ApiAuthGuard with API_AUTH=disabled', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp({ API_AUTH: 'disabled', HOST: '127.0.0.1' });
  });
  afterAll(() => h.app.close());

  it('lets every request through as user dev without asking the apiserver', async () => {
    const res = await h.call('POST', '/api/v1/namespaces/anywhere/pipelineexecutions', null);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ username: 'dev' });
    expect((await h.call('PUT', `${EXECUTIONS}/x/status`, 'whatever')).status).toBe(200);
    expect(h.reviews.tokenCalls).toEqual([]);
    expect(h.reviews.accessCalls).toEqual([]);
  });

  it('says so loudly, once, at startup', () => {
    const warnings = h.logs.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/DISABLED/);
    expect(warnings[0].fields).toMatchObject({ component: 'api-auth', apiAuth: 'disabled' });
  });
});

describe('ApiAuthGuard with API_AUTH=kubernetes', () => {
  it('starts without the warning', async () => {
    const h = await startApp({ API_AUTH: 'kubernetes' });
    try {
      expect(h.logs.filter((l) => l.level === 'warn')).toEqual([]);
    } finally {
      await h.app.close();
    }
  });
});

describe('accessTarget', () => {
  it('asks about watch, not list, for a watchable list route called with ?watch=true', () => {
    const requirement = { verb: 'list', resource: 'pipelines', watchable: true } as const;
    expect(accessTarget(requirement, { ns: 'demo' }, { watch: 'true' })).toMatchObject({ verb: 'watch', resource: 'pipelines', namespace: 'demo' });
    expect(accessTarget(requirement, { ns: 'demo' }, { watch: 'false' }).verb).toBe('list');
    expect(accessTarget({ verb: 'list', resource: 'pipelines' }, { ns: 'demo' }, { watch: 'true' }).verb).toBe('list');
  });
});
