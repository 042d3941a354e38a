import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Pipeline, PipelineExecution } from '@keelson/crds';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { GitSourceError, type ConfigSource, type GitAuth } from '@keelson/git-source';
import type { AccessAttributes, AccessDecision, KubeClient, TokenReviewResult } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ACCESS_REVIEW_PORT, ApiAuthModule, type AccessReviewPort } from '../auth';
import { ExecutionConfigReader } from '../../executions/execution-config.reader';
import { EXECUTION_CONFIG_READER } from '../../pipelines/pipelines.tokens';
import { ExecutionConfigController } from './execution-config.controller';

const COMMIT = 'c'.repeat(40);
const GOOD = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: make}\n';
const BROKEN = 'stages:\n- name: build\n  steps:\n  - runScriptConfig: {imag: alpine:3.20, shellScript: make}\n';

/** Every token is its user's name; RBAC says yes except to mallory, and records what it was asked. */
class Reviews implements AccessReviewPort {
  readonly asked: AccessAttributes[] = [];

  async reviewToken(token: string): Promise<TokenReviewResult> {
    return { authenticated: true, user: { username: token, groups: ['system:authenticated'] } };
  }

  async checkAccess(attrs: AccessAttributes): Promise<AccessDecision> {
    this.asked.push(attrs);
    return { allowed: attrs.user !== 'mallory', reason: '' };
  }
}

const anExecution = (name: string, spec: Partial<PipelineExecution['spec']> = {}, status: PipelineExecution['status'] = {}) => ({
  metadata: { name, namespace: 'demo' },
  spec: { pipelineRef: { name: 'web' }, commit: COMMIT, configPath: '.devops.yml', repositoryUrl: 'https://git.example/org/web.git', fork: false, stop: false, ...spec },
  status,
}) as unknown as PipelineExecution;
const PIPELINE = { metadata: { name: 'web', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/org/web.git' } } as unknown as Pipeline;
/** The same pipeline with a credential of git.example's provider (its token in a Secret). */
const PRIVATE_PIPELINE = { metadata: { name: 'private', namespace: 'demo' }, spec: { repositoryUrl: 'https://git.example/org/web.git', credentialRef: { name: 'alice-git' } } } as unknown as Pipeline;
const CREDENTIAL_OBJECTS: Record<string, Record<string, unknown>> = {
  SourceCodeCredential: { 'alice-git': { metadata: { name: 'alice-git' }, spec: { providerRef: { name: 'example' }, loginName: 'alice', tokenSecretRef: { name: 'alice-token' } } } },
  SourceCodeProvider: { example: { metadata: { name: 'example' }, spec: { type: 'gitea', serverUrl: 'https://git.example' } } },
  Secret: { 'alice-token': { data: { accessToken: Buffer.from('t0ken').toString('base64') } } },
};

/** A repository of one file per path, or a failure. */
class StubSource implements ConfigSource {
  files: Record<string, string> = { '.devops.yml': GOOD };
  failure?: GitSourceError;
  readonly reads: Array<{ url: string; commit: string; path: string; auth?: GitAuth }> = [];

  async resolveCommit(): Promise<string> {
    return COMMIT;
  }

  async readFile(url: string, commit: string, path: string, auth?: GitAuth): Promise<string | undefined> {
    this.reads.push({ url, commit, path, auth });
    if (this.failure) throw this.failure;
    return this.files[path];
  }

  async readFirstFile(): Promise<undefined> {
    return undefined;
  }
}

describe('ExecutionConfigController', () => {
  let app: INestApplication;
  let url: string;
  let source: StubSource;
  let reviews: Reviews;
  let executions: Record<string, PipelineExecution>;
  let now: number;

  beforeEach(async () => {
    source = new StubSource();
    now = 0;
    reviews = new Reviews();
    executions = {
      'web-1': anExecution('web-1'),
      'web-2': anExecution('web-2', { configPath: '.rancher-pipeline.yml' }, { configWarnings: [{ file: '.rancher-pipeline.yml', line: 3, column: 5, message: 'key "timeout" is ignored' }] }),
      'web-3': anExecution('web-3', { fork: true, repositoryUrl: 'https://git.example/fork/web.git' }),
      'web-4': anExecution('web-4', { commit: undefined }),
    };
    const kube = {
      resource: (kind: { kind: string }) => ({
        find: async (_ns: string, name: string) => (kind.kind === 'Pipeline' ? ({ web: PIPELINE, private: PRIVATE_PIPELINE } as Record<string, Pipeline>)[name]
          : kind.kind === 'PipelineExecution' ? executions[name] : CREDENTIAL_OBJECTS[kind.kind]?.[name]),
      }),
    } as unknown as KubeClient;
    const moduleRef = await Test.createTestingModule({
      imports: [ApiAuthModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube: {} as KubeClient, logger: silentLogger })],
      controllers: [ExecutionConfigController],
      providers: [{ provide: EXECUTION_CONFIG_READER, useValue: new ExecutionConfigReader(kube, source, { allowHttp: false, allowCidrs: [] }, () => now) }],
    }).overrideProvider(ACCESS_REVIEW_PORT).useValue(reviews).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterEach(() => app.close());

  const get = (name: string, user = 'alice') => fetch(`${url}/api/v1/namespaces/demo/pipelineexecutions/${name}/config`, { headers: { authorization: `Bearer ${user}` } });

  it('answers the file at the run\'s commit, read from the run\'s repository, with no errors when it compiles', async () => {
    const res = await get('web-1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: '.devops.yml', commit: COMMIT, text: GOOD, warnings: [], errors: [] });
    expect(source.reads).toEqual([{ url: 'https://git.example/org/web.git', commit: COMMIT, path: '.devops.yml', auth: undefined }]);
  });

  it('is authorised as reading the execution', async () => {
    await get('web-1');
    expect(reviews.asked).toEqual([expect.objectContaining({ verb: 'get', group: 'devops.keelson.dev', resource: 'pipelineexecutions', namespace: 'demo', name: 'web-1' })]);
    const refused = await get('web-1', 'mallory');
    expect(refused.status).toBe(403);
    expect(source.reads).toHaveLength(1);
  });

  it('gives each compile error its line and column', async () => {
    source.files['.devops.yml'] = BROKEN;
    const body = (await (await get('web-1')).json()) as { errors: Array<{ line: number; column: number; message: string }> };
    expect(body.errors).toEqual([
      { line: 4, column: 5, message: expect.stringContaining('missing the required key "image"') },
      { line: 4, column: 23, message: expect.stringContaining('unknown key "imag"') },
    ]);
  });

  it('reads the Rancher file the run read, with the warnings the run recorded', async () => {
    source.files['.rancher-pipeline.yml'] = GOOD;
    const body = (await (await get('web-2')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ path: '.rancher-pipeline.yml', warnings: [{ line: 3, column: 5, message: 'key "timeout" is ignored' }] });
  });

  it('reads a fork\'s file from the fork, without the pipeline\'s credential', async () => {
    expect((await get('web-3')).status).toBe(200);
    expect(source.reads).toEqual([{ url: 'https://git.example/fork/web.git', commit: COMMIT, path: '.devops.yml', auth: undefined }]);
  });

  it('reads with the pipeline\'s credential only the repository the pipeline names: a run of another repository is read without it', async () => {
    executions['web-5'] = anExecution('web-5', { pipelineRef: { name: 'private' } });
    executions['web-6'] = anExecution('web-6', { pipelineRef: { name: 'private' }, repositoryUrl: 'https://git.example/org/old-name.git' });
    expect((await get('web-5')).status).toBe(200);
    expect((await get('web-6')).status).toBe(200);
    expect(source.reads.map((r) => [r.url, r.auth])).toEqual([
      ['https://git.example/org/web.git', { username: 'alice', password: 't0ken' }],
      ['https://git.example/org/old-name.git', undefined],
    ]);
  });

  it('answers 502 repository-unreachable, with Retry-After, when git cannot reach the repository', async () => {
    source.failure = new GitSourceError('Unreachable', 'https://git.example/org/web.git: could not connect');
    const res = await get('web-1');
    expect(res.status).toBe(502);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(await res.json()).toMatchObject({ type: 'https://keelson.dev/problems/repository-unreachable', title: 'Repository unreachable', code: 'RepositoryUnreachable', detail: expect.stringContaining('could not connect') });
  });

  it('fetches a failing file once a minute however often it is asked (a loop of requests is no loop of git fetches)', async () => {
    source.failure = new GitSourceError('Unreachable', 'https://git.example/org/web.git: could not connect');
    const statuses = await Promise.all([get('web-1'), get('web-1'), get('web-1')].map(async (r) => (await r).status));
    expect(await Promise.all([get('web-1'), get('web-1')].map(async (r) => (await r).status))).toEqual([502, 502]);
    expect(statuses).toEqual([502, 502, 502]);
    expect(source.reads).toHaveLength(1);
    now += 60_000;
    source.failure = undefined;
    expect((await get('web-1')).status).toBe(200);
    expect(source.reads).toHaveLength(2);
  });

  it('answers 404 ConfigNotFound when the file is gone from the commit, or the run recorded no commit', async () => {
    delete source.files['.devops.yml'];
    for (const name of ['web-1', 'web-4']) {
      const res = await get(name);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('ConfigNotFound');
    }
  });

  it('answers 404 ExecutionNotFound for a run that does not exist', async () => {
    const res = await get('web-9');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('ExecutionNotFound');
  });

  it('refuses a file larger than a pipeline file may be (422 ConfigTooLarge)', async () => {
    source.files['.devops.yml'] = `# ${'x'.repeat(512 * 1024)}\n`;
    const res = await get('web-1');
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe('ConfigTooLarge');
  });
});
