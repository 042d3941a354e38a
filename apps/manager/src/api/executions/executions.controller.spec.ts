import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { PipelineExecution } from '@keelson/crds';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import type { AccessAttributes, AccessDecision, KubeClient, TokenReviewResult } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ACCESS_REVIEW_PORT, ApiAuthModule, type AccessReviewPort } from '../auth';
import type { Approver } from '../../executions/approvers';
import type { ApprovalAnswer } from '../../executions/execution-actions.service';
import type { RunOptions, RunResult } from '../../executions/execution-creator.service';
import { ExecutionError } from '../../executions/execution.errors';
import { EXECUTION_ACTIONS, EXECUTION_CREATOR } from '../../pipelines/pipelines.tokens';
import { ExecutionsController } from './executions.controller';

/** Every token is its user's name; everyone may do everything RBAC is asked about. */
class OpenReviews implements AccessReviewPort {
  async reviewToken(token: string): Promise<TokenReviewResult> {
    return { authenticated: true, user: { username: token, groups: [`${token}-team`, 'system:authenticated'] } };
  }

  async checkAccess(_attrs: AccessAttributes): Promise<AccessDecision> {
    return { allowed: true, reason: '' };
  }
}

const anExecution = (name: string) => ({ metadata: { name, namespace: 'demo' }, spec: { pipelineRef: { name: 'web' } } }) as unknown as PipelineExecution;

class StubCreator {
  readonly calls: Array<{ user: string; options: RunOptions }> = [];
  replay = false;

  async run(_ns: string, _name: string, _target: unknown, user: string, options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ user, options });
    return { execution: anExecution('web-1'), replayed: this.replay };
  }

  async rerun(_ns: string, _name: string, user: string, options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ user, options });
    return { execution: anExecution('web-2'), replayed: this.replay };
  }
}

class StubActions {
  readonly approvers: Approver[] = [];

  async approve(_ns: string, name: string, _answer: ApprovalAnswer, approver: Approver): Promise<PipelineExecution> {
    this.approvers.push(approver);
    if (approver.username === 'mallory') {
      throw new ExecutionError('NotAnApprover', 'user "mallory" may not answer approval step "ship"; only users "alice" may', false, {
        details: { user: 'mallory', approvers: { users: ['alice'], groups: [] } },
      });
    }
    if (approver.username === 'late') throw new ExecutionError('NoPendingApproval', 'step "ship" was already approved by "alice"');
    return anExecution(name);
  }
}

describe('ExecutionsController', () => {
  let app: INestApplication;
  let url: string;
  let creator: StubCreator;
  let actions: StubActions;

  beforeEach(async () => {
    creator = new StubCreator();
    actions = new StubActions();
    const moduleRef = await Test.createTestingModule({
      imports: [ApiAuthModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube: {} as KubeClient, logger: silentLogger })],
      controllers: [ExecutionsController],
      providers: [{ provide: EXECUTION_CREATOR, useValue: creator }, { provide: EXECUTION_ACTIONS, useValue: actions }],
    }).overrideProvider(ACCESS_REVIEW_PORT).useValue(new OpenReviews()).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterEach(() => app.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, user = 'alice') => fetch(`${url}/api/v1/namespaces/demo${path}`, {
    method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json', ...headers },
  });

  it('answers a new run with 201 and hands the Idempotency-Key to the creator', async () => {
    const res = await post('/pipelines/web/run', { branch: 'main' }, { 'idempotency-key': 'k-1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(((await res.json()) as PipelineExecution).metadata.name).toBe('web-1');
    expect(creator.calls).toEqual([{ user: 'alice', options: { idempotencyKey: 'k-1' } }]);
  });

  it('answers a replayed run or rerun with 200 and Idempotent-Replayed: true', async () => {
    creator.replay = true;
    for (const [path, body] of [['/pipelines/web/run', { branch: 'main' }], ['/pipelineexecutions/web-1/rerun', {}]] as const) {
      const res = await post(path, body, { 'idempotency-key': 'k-1' });
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
    }
  });

  it('refuses a malformed Idempotency-Key with 400 naming the header, before creating anything', async () => {
    const res = await post('/pipelines/web/run', { branch: 'main' }, { 'idempotency-key': 'k'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toEqual({
      type: 'https://keelson.dev/problems/invalid-request', title: 'Invalid request', status: 400, instance: '/api/v1/namespaces/demo/pipelines/web/run',
      code: 'InvalidIdempotencyKey', detail: expect.stringContaining('Idempotency-Key'),
    });
    expect(creator.calls).toEqual([]);
  });

  it('hands the caller\'s name and groups from the token to an approval', async () => {
    expect((await post('/pipelineexecutions/web-1/approve', { stage: 0, step: 0 })).status).toBe(200);
    expect(actions.approvers).toEqual([{ username: 'alice', groups: ['alice-team', 'system:authenticated'] }]);
  });

  it('answers 403 naming who may approve', async () => {
    const res = await post('/pipelineexecutions/web-1/approve', { stage: 0, step: 0 }, {}, 'mallory');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: 'NotAnApprover', user: 'mallory', approvers: { users: ['alice'], groups: [] },
      detail: 'user "mallory" may not answer approval step "ship"; only users "alice" may',
      type: 'https://keelson.dev/problems/forbidden', title: 'Forbidden', status: 403, instance: '/api/v1/namespaces/demo/pipelineexecutions/web-1/approve',
    });
  });

  it('answers 400 to a malformed approval body and 409 to a settled step', async () => {
    const bad = await post('/pipelineexecutions/web-1/approve', { stage: 'prod' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('InvalidApprovalAnswer');
    expect(actions.approvers).toEqual([]);
    const late = await post('/pipelineexecutions/web-1/approve', { stage: 0, step: 0 }, {}, 'late');
    expect(late.status).toBe(409);
  });
});
