// The API contract: the manager of the whole local stack (KeelsonStack: a real apiserver with KWOK nodes, Redis, a
// git repository, the Jenkins double building for real; git providers: the GitHub double) is called on every
// operation of its OpenAPI document, with answers that succeed and answers that fail, and each answer
// (status, content type, required headers, body) must be what the document says. The operations come from the
// committed document (docs/openapi.json, which a unit test keeps equal to the code's): an operation without an
// entry in ROUTES below fails this test, so a new route arrives with its calls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { RedisDeliveryLog } from '@keelson/queue';
import { freePort, waitFor } from '@keelson/servers';
import { API_BODY_LIMIT_BYTES } from '../../apps/manager/src/api/api-http';
import type { OpenApiDocument, OpenApiOperation } from '../../apps/manager/src/api/openapi/openapi-document';
import { OpenApiValidator } from '../../apps/manager/src/api/openapi/testing/openapi-validator';
import type { Manager } from '../../apps/manager/src/manager';
import { startGitHubDouble, type GitHubDouble } from '../doubles/github/github-double';
import { startOidcProviderDouble, type OidcProviderDouble } from '../support/oidc-provider-double';
import { KeelsonStack } from '../support/keelson-stack';
import { createProvider } from '../support/source-code-stack';

const DOCUMENT = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as OpenApiDocument;
const validator = new OpenApiValidator(DOCUMENT);
/** The branch `gated`: an approval only alice and carol may answer. */
const GATED_YML = `
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: make}
- name: gate
  steps:
  - name: ship
    approval: {message: Ship it?, users: [alice, carol]}
`;
/** The branch `slow`: a build that runs long enough to be stopped. */
const SLOW_YML = `
stages:
- name: wait
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: sleep 300}
`;

/** Who calls: alice (may act in demo), admin (system:masters), a ServiceAccount RBAC allows nothing, no token, a bad one. */
type Caller = 'alice' | 'admin' | 'nobody' | 'none' | 'garbage';

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  json: () => Record<string, any>;
}

interface Call {
  /** What the call shows, as a sentence. */
  name: string;
  status: number;
  as?: Caller;
  /** Path parameters over the route's defaults. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body (application/json). */
  json?: unknown;
  /** A body sent as is, with this Content-Type (none when absent). */
  raw?: { type?: string; body: string };
  /** Fields decided at call time (e.g. a fresh OAuth state). */
  prepare?: () => Promise<Partial<Call>>;
  /** What the document cannot say: the problem's code, a replayed header, a side effect. */
  check?: (answer: Answer) => void | Promise<void>;
}

interface RouteCalls {
  /** Path parameters of every call unless it gives its own. */
  params: Record<string, string>;
  calls: Call[];
  /**
   * The route authorises what it answers item by item (lists across namespaces, projects, the event stream): a caller
   * RBAC allows nothing gets an empty answer rather than the common 403, which its own calls show instead.
   */
  filtersByRbac?: boolean;
}

let stack: KeelsonStack;
let github: GitHubDouble;
let oidc: OidcProviderDouble;
let manager: Manager;
let admin: KubeClient;
let nobodyToken: string;
const users = () => stack.cluster.controlPlane;
const executions: Record<'stop' | 'finished' | 'approve' | 'reject' | 'rerun' | 'doomed', string> = { stop: '', finished: '', approve: '', reject: '', rerun: '', doomed: '' };

const code = (expected: string) => (answer: Answer) => expect(answer.json().code).toBe(expected);

/** The kinds of the resource API, with the object each one's calls make: `contract-<kind>` (created, then deleted). */
const KINDS: Record<string, { kind: string; spec: () => Record<string, unknown> }> = {
  sourcecodeproviders: { kind: 'SourceCodeProvider', spec: () => ({ type: 'github', serverUrl: github.url, enabled: false }) },
  sourcecodecredentials: { kind: 'SourceCodeCredential', spec: () => ({ providerRef: { name: 'github' }, userName: 'carol', loginName: 'carol-gh', tokenSecretRef: { name: 'carol-token', key: 'accessToken' } }) },
  sourcecoderepositories: { kind: 'SourceCodeRepository', spec: () => ({ credentialRef: { name: 'alice-cred' }, fullName: 'alice-gh/contract', url: `${github.url}/alice-gh/contract.git` }) },
  pipelinesettings: { kind: 'PipelineSetting', spec: () => ({ maxConcurrentExecutions: 10, historyLimit: 100, logRetentionDays: 30 }) },
  pipelines: { kind: 'Pipeline', spec: () => ({ repositoryUrl: stack.repo.fileUrl, configPath: '.devops.yml', suspend: true }) },
  pipelineexecutions: { kind: 'PipelineExecution', spec: () => ({}) },
};
const RESOURCE_API_VERSION = 'devops.keelson.dev/v1alpha1';
const isEventStream = (a: Answer) => expect(a.headers.get('content-type')).toMatch(/^text\/event-stream/);
const namesLog = (a: Answer) => expect(a.json().errors).toEqual([expect.objectContaining({ pointer: '/query/log' })]);
const itemsOf = (a: Answer) => a.json().items as Array<{ metadata: { name: string; namespace: string } }>;

function fixtureName(plural: string): string {
  return `contract-${KINDS[plural].kind.toLowerCase()}`;
}

/** The object the calls act on; for executions (which cannot be created here) runs of `web`, one to delete. */
function targetOf(plural: string, toDelete = false): string {
  if (plural !== 'pipelineexecutions') return fixtureName(plural);
  return toDelete ? executions.doomed : executions.finished;
}

function newObject(plural: string, name = fixtureName(plural)): Record<string, unknown> {
  return { apiVersion: RESOURCE_API_VERSION, kind: KINDS[plural].kind, metadata: { name }, spec: KINDS[plural].spec() };
}

/** The object as the API shows it to admin now. */
async function shown(plural: string, name: string): Promise<Record<string, any>> {
  const res = await fetch(`${manager.url}/api/v1/namespaces/demo/${plural}/${name}`, { headers: { authorization: `Bearer ${users().admin.token}` } });
  if (res.status !== 200) throw new Error(`GET ${plural}/${name} answered ${res.status}`);
  return res.json() as Promise<Record<string, any>>;
}

const labelled = (obj: Record<string, any>, value: string) => ({ ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, contract: value } } });

/** The calls of the six kinds' routes, from one template as the routes are; admin may do everything, alice little. */
function resourceRoutes(): Record<string, RouteCalls> {
  const routes: Record<string, RouteCalls> = {};
  for (const plural of Object.keys(KINDS)) {
    const collection = `/api/v1/namespaces/{ns}/${plural}`;
    const item = `${collection}/{name}`;
    // An execution is written by the manager until its logs are sealed: only then is the version a call reads still
    // current when its write arrives.
    const target = async () => {
      if (plural === 'pipelineexecutions') await sealedLogs();
      return { params: { name: targetOf(plural) } };
    };
    const doomed = () => ({ params: { name: targetOf(plural, true) } });
    // What the common calls (refused before any lookup) name; the calls that reach the object name it at call time.
    const itemParams = { ns: 'demo', name: fixtureName(plural) };
    const filterCalls: Call[] = plural === 'pipelineexecutions'
      ? [
        { name: 'keeps one pipeline\'s, in a phase, newest first', as: 'admin', query: { pipeline: 'web', phase: 'Succeeded,Running' }, status: 200, check: (a) => expect(itemsOf(a).length).toBeGreaterThan(0) },
        { name: 'refuses a phase that does not exist', as: 'admin', query: { phase: 'Sleeping' }, status: 400, check: (a) => expect(a.json().errors).toEqual([expect.objectContaining({ pointer: '/query/phase' })]) },
      ]
      : plural === 'sourcecoderepositories'
        ? [
          { name: 'lists the repositories (as alice)', status: 200, check: (a) => expect(itemsOf(a).map((r) => r.metadata.name).sort()).toEqual(['alice-web', 'bob-api']) },
          { name: 'keeps one credential\'s, a page at a time', query: { credential: 'alice-cred', limit: '1' }, status: 200, check: (a) => expect(itemsOf(a)).toHaveLength(1) },
        ]
        : [{ name: 'refuses a filter the kind does not take', as: 'admin', query: { phase: 'Running' }, status: 400 }];
    routes[`GET ${collection}`] = {
      params: { ns: 'demo' },
      calls: [
        { name: 'lists them', as: 'admin', status: 200, check: (a) => expect(itemsOf(a).length).toBeGreaterThan(0) },
        { name: 'pages them', as: 'admin', query: { limit: '1' }, status: 200, check: (a) => expect(itemsOf(a)).toHaveLength(1) },
        ...filterCalls,
        { name: 'refuses a limit out of range', as: 'admin', query: { limit: '0' }, status: 400 },
        { name: 'refuses a continue token it did not make', as: 'admin', query: { continue: 'forged' }, status: 400 },
        { name: 'watches them as Server-Sent Events', as: 'admin', query: { watch: 'true' }, headers: { accept: 'text/event-stream' }, status: 200, check: isEventStream },
      ],
    };
    routes[`GET /api/v1/${plural}`] = {
      params: {},
      filtersByRbac: true,
      calls: [
        { name: 'lists them across namespaces', as: 'admin', status: 200, check: (a) => expect(itemsOf(a).some((o) => o.metadata.namespace === 'demo')).toBe(true) },
        { name: 'answers a user RBAC allows nothing an empty list', as: 'nobody', status: 200, check: (a) => expect(itemsOf(a)).toEqual([]) },
        { name: 'refuses an unknown query parameter', as: 'admin', query: { colour: 'red' }, status: 400 },
        { name: 'watches them across namespaces', as: 'admin', query: { watch: 'true' }, headers: { accept: 'text/event-stream' }, status: 200, check: isEventStream },
      ],
    };
    routes[`POST ${collection}`] = plural === 'pipelineexecutions'
      ? {
        params: { ns: 'demo' },
        calls: [{
          name: 'refuses, pointing to the run route (405)', as: 'admin', prepare: async () => ({ json: newObject(plural, 'made-here') }), status: 405,
          check: (a) => {
            expect(a.json().code).toBe('UseRunRoute');
            expect(a.headers.get('allow')).toBe('GET');
          },
        }],
      }
      : {
        params: { ns: 'demo' },
        calls: [
          {
            name: 'creates one', as: 'admin', prepare: async () => ({ json: newObject(plural) }), status: 201,
            check: (a) => expect(a.headers.get('location')).toBe(`/api/v1/namespaces/demo/${plural}/${fixtureName(plural)}`),
          },
          { name: 'refuses a name that is taken', as: 'admin', prepare: async () => ({ json: newObject(plural) }), status: 409 },
          { name: 'refuses a status (Keelson\'s alone)', as: 'admin', prepare: async () => ({ json: { ...newObject(plural, 'with-status'), status: { phase: 'Ready' } } }), status: 422 },
          { name: 'refuses a namespace in the body other than the path\'s', as: 'admin', prepare: async () => ({ json: { ...newObject(plural, 'elsewhere'), metadata: { name: 'elsewhere', namespace: 'other' } } }), status: 400 },
          { name: 'answers 404 for a namespace that does not exist', as: 'admin', params: { ns: 'no-such-namespace' }, prepare: async () => ({ json: newObject(plural, 'lost') }), status: 404 },
          ...(plural === 'pipelines' ? [
            { name: 'makes a Pipeline for a repository alice listed', json: { repository: 'alice-web', name: 'from-repo' }, status: 201 },
            { name: 'refuses a name that is taken (from a repository)', json: { repository: 'alice-web', name: 'from-repo' }, status: 409, check: code('PipelineExists') },
            { name: 'refuses a repository listed with another user\'s credential', json: { repository: 'bob-api' }, status: 403, check: code('NotYourCredential') },
            { name: 'answers 404 for a repository that does not exist', json: { repository: 'nope' }, status: 404, check: code('RepositoryNotFound') },
            { name: 'refuses a field the repository form does not take', json: { repository: 'alice-web', branch: 'main' }, status: 400, check: code('InvalidRequest') },
          ] satisfies Call[] : []),
        ],
      };
    routes[`GET ${item}`] = {
      params: itemParams,
      calls: [
        { name: 'reads one, its resourceVersion as ETag', as: 'admin', status: 200, prepare: async () => target(), check: (a) => expect(a.headers.get('etag')).toBe(`"${a.json().metadata.resourceVersion}"`) },
        {
          name: 'answers 304 to the ETag it holds', as: 'admin', status: 304,
          prepare: async () => ({ ...(await target()), headers: { 'if-none-match': `"${(await shown(plural, targetOf(plural))).metadata.resourceVersion}"` } }),
        },
        { name: 'answers 404 for one that does not exist', as: 'admin', params: { name: 'nope' }, status: 404 },
        { name: 'refuses a name that is not an object name', as: 'admin', params: { name: 'Not_A_Name' }, status: 400 },
      ],
    };
    routes[`PUT ${item}`] = {
      params: itemParams,
      calls: [
        { name: 'replaces one at the version read', as: 'admin', status: 200, prepare: async () => ({ ...(await target()), json: labelled(await shown(plural, targetOf(plural)), 'put') }), check: (a) => expect(a.json().metadata.labels.contract).toBe('put') },
        {
          name: 'refuses a replace without the version read (428)', as: 'admin', status: 428,
          prepare: async () => {
            const obj = await shown(plural, targetOf(plural));
            const { resourceVersion: _rv, ...metadata } = obj.metadata;
            return { ...(await target()), json: { ...obj, metadata } };
          },
        },
        {
          name: 'refuses a stale version (409)', as: 'admin', status: 409, check: code('StaleResourceVersion'),
          prepare: async () => ({ ...(await target()), headers: { 'if-match': '"1"' }, json: (({ metadata: { resourceVersion: _rv, ...m }, ...o }) => ({ ...o, metadata: m }))(await shown(plural, targetOf(plural))) }),
        },
        {
          name: 'refuses a change of status (422)', as: 'admin', status: 422,
          prepare: async () => ({ ...(await target()), json: { ...(await shown(plural, targetOf(plural))), status: { phase: 'Changed' } } }),
        },
        { name: 'answers 404 for one that does not exist', as: 'admin', params: { name: 'nope' }, prepare: async () => ({ json: { ...newObject(plural, 'nope'), metadata: { name: 'nope', resourceVersion: '1' } } }), status: 404 },
      ],
    };
    const mergePatch = (body: unknown) => ({ type: 'application/merge-patch+json', body: JSON.stringify(body) });
    routes[`PATCH ${item}`] = {
      params: itemParams,
      calls: [
        { name: 'applies a merge patch', as: 'admin', raw: mergePatch({ metadata: { labels: { contract: 'merged' } } }), status: 200, prepare: async () => target(), check: (a) => expect(a.json().metadata.labels.contract).toBe('merged') },
        {
          name: 'applies a JSON patch', as: 'admin', raw: { type: 'application/json-patch+json', body: JSON.stringify([{ op: 'test', path: '/metadata/labels/contract', value: 'merged' }, { op: 'replace', path: '/metadata/labels/contract', value: 'json' }]) },
          status: 200, prepare: async () => target(), check: (a) => expect(a.json().metadata.labels.contract).toBe('json'),
        },
        { name: 'refuses a JSON patch that does not apply (422)', as: 'admin', raw: { type: 'application/json-patch+json', body: JSON.stringify([{ op: 'test', path: '/metadata/name', value: 'other' }]) }, status: 422, prepare: async () => target() },
        { name: 'refuses a plain JSON body (415), naming the patch types', as: 'admin', json: { metadata: { labels: { contract: 'x' } } }, status: 415, prepare: async () => target(), check: (a) => expect(a.headers.get('accept-patch')).toContain('application/merge-patch+json') },
        { name: 'refuses a stale If-Match (409)', as: 'admin', headers: { 'if-match': '"1"' }, raw: mergePatch({ metadata: { labels: { contract: 'late' } } }), status: 409, prepare: async () => target(), check: code('StaleResourceVersion') },
        { name: 'answers 404 for one that does not exist', as: 'admin', params: { name: 'nope' }, raw: mergePatch({ metadata: { labels: { contract: 'x' } } }), status: 404 },
      ],
    };
    routes[`DELETE ${item}`] = {
      params: itemParams,
      calls: [
        { name: 'refuses a stale If-Match (409)', as: 'admin', headers: { 'if-match': '"1"' }, status: 409, prepare: async () => doomed(), check: code('StaleResourceVersion') },
        { name: 'refuses an If-Match that is not an entity tag (400)', as: 'admin', headers: { 'if-match': 'not-a-tag' }, status: 400, prepare: async () => doomed() },
        { name: 'answers 404 for one that does not exist', as: 'admin', params: { name: 'nope' }, status: 404 },
        { name: 'deletes one', as: 'admin', status: 200, prepare: async () => doomed() },
      ],
    };
  }
  routes['GET /api/v1/projects'] = {
    params: {},
    filtersByRbac: true,
    calls: [
      { name: 'lists the projects with their counts', as: 'admin', status: 200, check: (a) => expect(a.json().items).toContainEqual(expect.objectContaining({ name: 'demo', pipelines: expect.any(Number) })) },
      { name: 'names none to a user RBAC allows nothing', as: 'nobody', status: 200, check: (a) => expect(a.json().items).toEqual([]) },
    ],
  };
  routes['GET /api/v1/events'] = {
    params: {},
    filtersByRbac: true,
    calls: [
      { name: 'streams a namespace\'s changes', as: 'admin', query: { namespace: 'demo' }, headers: { accept: 'text/event-stream' }, status: 200, check: isEventStream },
      { name: 'streams every namespace\'s, some kinds', as: 'admin', query: { resources: 'pipelines,pipelineexecutions' }, headers: { accept: 'text/event-stream' }, status: 200, check: isEventStream },
      { name: 'refuses a kind it does not serve', as: 'admin', query: { resources: 'widgets' }, status: 400 },
      { name: 'refuses a user who may watch nothing in the namespace (403)', as: 'nobody', query: { namespace: 'demo' }, status: 403, check: code('Forbidden') },
      {
        name: 'also follows a step\'s log on the same stream', as: 'admin', headers: { accept: 'text/event-stream' }, status: 200,
        prepare: async () => ({ query: { log: `demo/${(await sealedLogs()).params!.name}/0/0` } }), check: isEventStream,
      },
      { name: 'refuses a log that names no step (400 naming log)', as: 'admin', query: { log: 'demo/web-1' }, status: 400, check: namesLog },
      {
        name: 'answers 404 naming log for a step the execution does not have', as: 'admin', status: 404, check: namesLog,
        prepare: async () => ({ query: { log: `demo/${(await sealedLogs()).params!.name}/9/0` } }),
      },
      {
        name: 'refuses a user who may not read the step\'s log (403 naming log)', as: 'nobody', status: 403, check: namesLog,
        prepare: async () => ({ query: { log: `demo/${(await sealedLogs()).params!.name}/0/0` } }),
      },
    ],
  };
  return routes;
}

/**
 * The calls of each operation of the document, beyond those every operation of its kind gets (COMMON_CALLS): at least
 * one that succeeds, and the errors particular to the route.
 */
const ROUTES: Record<string, RouteCalls> = {
  ...resourceRoutes(),
  'POST /api/v1/namespaces/{ns}/pipelineexecutions/{name}/approve': {
    params: { ns: 'demo', name: 'exe-approve' },
    calls: [
      { name: 'refuses a body that names no step', json: { stage: 'gate' }, status: 400, prepare: async () => ({ params: { name: executions.approve } }), check: code('InvalidApprovalAnswer') },
      { name: 'refuses a user the step does not name', as: 'admin', json: { stage: 'gate', step: 'ship' }, status: 403, prepare: async () => ({ params: { name: executions.approve } }), check: code('NotAnApprover') },
      { name: 'approves the waiting step', json: { stage: 'gate', step: 'ship', comment: 'ship it' }, status: 200, prepare: async () => ({ params: { name: executions.approve } }) },
      { name: 'refuses a step that waits for nothing', json: { stage: 'gate', step: 'ship' }, status: 409, prepare: async () => ({ params: { name: executions.finished } }), check: code('NoPendingApproval') },
      { name: 'answers 404 for an execution that does not exist', json: { stage: 0, step: 0 }, params: { name: 'nope' }, status: 404, check: code('ExecutionNotFound') },
    ],
  },
  'POST /api/v1/namespaces/{ns}/pipelineexecutions/{name}/reject': {
    params: { ns: 'demo', name: 'exe-reject' },
    calls: [
      { name: 'rejects the waiting step', json: { stage: 1, step: 0 }, status: 200, prepare: async () => ({ params: { name: executions.reject } }) },
      { name: 'refuses a step already answered', json: { stage: 1, step: 0 }, status: 409, prepare: async () => ({ params: { name: executions.reject } }), check: code('NoPendingApproval') },
      { name: 'answers 404 for an execution that does not exist', json: { stage: 0, step: 0 }, params: { name: 'nope' }, status: 404 },
    ],
  },
  'POST /api/v1/namespaces/{ns}/pipelineexecutions/{name}/rerun': {
    params: { ns: 'demo', name: 'exe-rerun' },
    calls: [
      { name: 'runs the execution again', headers: { 'idempotency-key': 'contract-rerun' }, status: 201, prepare: async () => ({ params: { name: executions.rerun } }) },
      {
        name: 'answers a retry with the execution the first request made', headers: { 'idempotency-key': 'contract-rerun' }, status: 200,
        prepare: async () => ({ params: { name: executions.rerun } }), check: (a) => expect(a.headers.get('idempotent-replayed')).toBe('true'),
      },
      { name: 'refuses a key reused for another request', headers: { 'idempotency-key': 'contract-rerun' }, status: 422, prepare: async () => ({ params: { name: executions.stop } }), check: code('IdempotencyKeyReused') },
      { name: 'refuses a malformed Idempotency-Key', headers: { 'idempotency-key': 'k'.repeat(256) }, status: 400, prepare: async () => ({ params: { name: executions.rerun } }), check: code('InvalidIdempotencyKey') },
      { name: 'answers 404 for an execution that does not exist', params: { name: 'nope' }, status: 404 },
    ],
  },
  'POST /api/v1/namespaces/{ns}/pipelineexecutions/{name}/stop': {
    params: { ns: 'demo', name: 'exe-stop' },
    calls: [
      { name: 'refuses a reason longer than 500 characters, naming the field (400)', json: { reason: 'r'.repeat(501) }, status: 400, prepare: async () => ({ params: { name: executions.stop } }), check: code('InvalidStopRequest') },
      {
        name: 'asks a running execution to stop, recording who and why', json: { reason: 'contract stop' }, status: 200, prepare: async () => ({ params: { name: executions.stop } }),
        check: (a) => expect(a.json().status.conditions).toContainEqual(expect.objectContaining({ type: 'StopRequested', message: `stopped by ${JSON.stringify(users().user.name)}: contract stop` })),
      },
      { name: 'refuses an execution that has finished', status: 409, prepare: async () => ({ params: { name: executions.finished } }), check: code('NotStoppable') },
      { name: 'answers 404 for an execution that does not exist', params: { name: 'nope' }, status: 404 },
    ],
  },
  'GET /api/v1/namespaces/{ns}/pipelineexecutions/{name}/config': {
    params: { ns: 'demo', name: 'exe-finished' },
    calls: [
      {
        name: 'reads the run\'s pipeline file at its commit', status: 200, prepare: async () => ({ params: { name: executions.finished } }),
        check: (a) => expect(a.json()).toMatchObject({ path: '.devops.yml', commit: expect.stringMatching(/^[0-9a-f]{40}$/), text: expect.stringContaining('stages:'), errors: [], warnings: [] }),
      },
      { name: 'answers 404 for an execution that does not exist', params: { name: 'nope' }, status: 404, check: code('ExecutionNotFound') },
    ],
  },
  'GET /api/v1/whoami': {
    params: {},
    filtersByRbac: true,
    calls: [
      { name: 'names the caller and their groups', as: 'admin', status: 200, check: (a) => expect(a.json()).toEqual({ username: users().admin.name, groups: expect.arrayContaining(['system:masters']) }) },
      { name: 'answers a user RBAC allows nothing with who they are', as: 'nobody', status: 200, check: (a) => expect(a.json().username).toBe('system:serviceaccount:demo:nobody') },
    ],
  },
  'GET /api/v1/namespaces/{ns}/pipelineexecutions/{name}/logs': {
    params: { ns: 'demo', name: 'exe-finished' },
    calls: [
      {
        name: 'reads a sealed step log', query: { stage: '0', step: '0' }, status: 200, prepare: sealedLogs,
        check: (a) => expect(a.body).toMatch(/^\+ /),
      },
      { name: 'reads the whole run with a header per step', status: 200, prepare: sealedLogs, check: (a) => expect(a.body).toMatch(/^==> stage 0 /) },
      { name: 'answers a byte range with 206', query: { stage: '0', step: '0' }, headers: { range: 'bytes=0-1' }, status: 206, prepare: sealedLogs, check: (a) => expect(a.body).toBe('+ ') },
      { name: 'refuses a range past the end with 416', query: { stage: '0', step: '0' }, headers: { range: 'bytes=99999999-' }, status: 416, prepare: sealedLogs },
      { name: 'refuses a stage without a step', query: { stage: '0' }, status: 400, prepare: sealedLogs },
      { name: 'answers 404 for an execution that does not exist', params: { name: 'nope' }, status: 404 },
    ],
  },
  'GET /api/v1/namespaces/{ns}/pipelineexecutions/{name}/logs/index': {
    params: { ns: 'demo', name: 'exe-finished' },
    calls: [
      {
        name: 'answers a step\'s line index and when its lines were stored', query: { stage: '0', step: '0' }, status: 200, prepare: sealedLogs,
        check: (a) => {
          expect(a.json()).toMatchObject({ every: 1000, complete: true, offsets: [0] });
          expect(a.json().times[0]).toEqual([1, expect.any(Number)]); // line 1: the time its chunk was stored
        },
      },
      { name: 'refuses a request without a step', status: 400, prepare: sealedLogs },
      { name: 'answers 404 for a step that does not exist', query: { stage: '9', step: '0' }, status: 404, prepare: sealedLogs },
    ],
  },
  'GET /api/v1/namespaces/{ns}/pipelineexecutions/{name}/logs/search': {
    params: { ns: 'demo', name: 'exe-finished' },
    calls: [
      { name: 'answers the lines that match, not the text', query: { q: 'compiling' }, status: 200, prepare: sealedLogs, check: (a) => expect(a.json().matches.length).toBeGreaterThan(0) },
      { name: 'refuses a pattern that is not a regular expression', query: { regex: '(' }, status: 400, prepare: sealedLogs },
      { name: 'answers 404 for an execution that does not exist', query: { q: 'x' }, params: { name: 'nope' }, status: 404 },
    ],
  },
  'GET /api/v1/namespaces/{ns}/pipelines/{name}/deliveries': {
    params: { ns: 'demo', name: 'web' },
    calls: [
      { name: 'lists the pipeline\'s deliveries, newest first', status: 200, check: (a) => expect(a.json().items.map((d: { id: string }) => d.id)).toEqual(['d-2', 'd-1']) },
      { name: 'takes a limit', query: { limit: '1' }, status: 200, check: (a) => expect(a.json().items).toHaveLength(1) },
      { name: 'answers 404 for a pipeline that does not exist', params: { name: 'nope' }, status: 404 },
    ],
  },
  'POST /api/v1/namespaces/{ns}/pipelines/{name}/run': {
    params: { ns: 'demo', name: 'web' },
    calls: [
      { name: 'runs a branch', json: { branch: 'main' }, headers: { 'idempotency-key': 'contract-run' }, status: 201 },
      { name: 'answers a retry with the execution the first request made', json: { branch: 'main' }, headers: { 'idempotency-key': 'contract-run' }, status: 200, check: (a) => expect(a.headers.get('idempotent-replayed')).toBe('true') },
      { name: 'refuses a body that names neither branch nor commit', json: {}, status: 400, check: code('InvalidRunTarget') },
      { name: 'answers 404 for a pipeline that does not exist', json: { branch: 'main' }, params: { name: 'nope' }, status: 404, check: code('PipelineNotFound') },
      { name: 'refuses a suspended pipeline', json: { branch: 'main' }, params: { name: 'suspended' }, status: 409, check: code('PipelineSuspended') },
      { name: 'refuses a branch the repository does not have', json: { branch: 'no-such-branch' }, status: 422, check: code('RefNotFound') },
    ],
  },
  'GET /api/v1/debug/report': {
    params: {},
    calls: [
      {
        name: 'answers a cluster admin the replica\'s stacks and usage, without its environment', as: 'admin', status: 200,
        check: (a) => {
          expect(a.json()).toMatchObject({ javascriptStack: expect.any(Object), nativeStack: expect.any(Array), resourceUsage: expect.any(Object) });
          expect(a.json()).not.toHaveProperty('environmentVariables');
        },
      },
      { name: 'refuses a project user, whom RBAC grants no non-resource URL', status: 403, check: code('Forbidden') },
    ],
  },
  'POST /api/v1/debug/heap-snapshot': {
    params: {},
    calls: [
      {
        name: 'streams a cluster admin a V8 heap snapshot as a download', as: 'admin', json: {}, status: 200,
        check: (a) => {
          expect(a.headers.get('content-disposition')).toMatch(/^attachment; filename="keelson-\d+-[\dT-]+Z\.heapsnapshot"$/);
          expect(a.body.startsWith('{"snapshot":')).toBe(true);
        },
      },
      { name: 'refuses a project user', json: {}, status: 403, check: code('Forbidden') },
    ],
  },
  'GET /api/v1/namespaces/{ns}/queue': {
    params: { ns: 'demo' },
    calls: [
      {
        name: 'tells why each run of the project waits, and how the running ones started', as: 'admin', status: 200,
        check: (a) => expect(a.json()).toMatchObject({ namespace: 'demo', limit: expect.any(Number), queued: expect.any(Array), running: expect.any(Array) }),
      },
      { name: 'answers an empty queue for a project with no executions', as: 'admin', params: { ns: 'keelson-system' }, status: 200, check: (a) => expect(a.json()).toMatchObject({ admitted: 0, queued: [], running: [] }) },
    ],
  },
  'POST /api/v1/namespaces/{ns}/sourcecodecredentials/{name}/refresh': {
    params: { ns: 'demo', name: 'alice-cred' },
    calls: [
      {
        name: 'asks for a new listing', status: 202,
        check: async () => expect((await admin.resource(Keelson.SourceCodeCredential).get('demo', 'alice-cred')).metadata.annotations).toHaveProperty(['keelson.dev/refresh-repositories']),
      },
      { name: 'answers 404 for a credential that does not exist', params: { name: 'nope' }, status: 404, check: code('CredentialNotFound') },
    ],
  },
  'GET /api/v1/namespaces/{ns}/sourcecodeproviders/{name}/authorize': {
    params: { ns: 'demo', name: 'github' },
    calls: [
      { name: 'answers the authorize URL to a JSON client', headers: { accept: 'application/json' }, status: 200 },
      { name: 'redirects a browser to the provider', headers: { accept: 'text/html' }, status: 302, check: (a) => expect(a.headers.get('location')).toMatch(/\/login\/oauth\/authorize\?/) },
      { name: 'answers 404 for a provider that does not exist', params: { name: 'nope' }, status: 404, check: code('ProviderNotFound') },
      { name: 'refuses a disabled provider', params: { name: 'disabled' }, status: 409, check: code('ProviderDisabled') },
    ],
  },
  'GET /api/v1/auth/config': {
    params: {},
    calls: [
      { name: 'says OIDC is on and names the issuer, without a token', as: 'none', status: 200, check: (a) => expect(a.json()).toEqual({ oidc: { enabled: true, issuer: oidc.issuer } }) },
    ],
  },
  'GET /api/v1/auth/oidc/login': {
    params: {},
    calls: [
      {
        name: 'redirects the browser to the issuer with PKCE S256 and sets the binding cookie', as: 'none', query: { next: '/approvals' }, headers: { accept: 'text/html' }, status: 302,
        check: (a) => {
          expect(a.headers.get('location')).toMatch(new RegExp(`^${oidc.issuer}/authorize\\?.*code_challenge_method=S256`));
          expect(a.headers.get('set-cookie')).toMatch(/^keelson_oidc=.*HttpOnly; SameSite=Lax/);
        },
      },
      {
        name: 'sends a next that names another host back to /login with the error', as: 'none', query: { next: '//evil.example' }, headers: { accept: 'text/html' }, status: 302,
        check: (a) => expect(a.headers.get('location')).toMatch(/^\/login#error=OidcInvalidRequest&/),
      },
    ],
  },
  'GET /api/v1/auth/oidc/callback': {
    params: {},
    calls: [
      {
        name: 'trades the code and hands the ID token to the console in the fragment', as: 'none', headers: { accept: 'text/html' }, status: 302, prepare: oidcRedirect,
        check: (a) => expect(a.headers.get('location')).toMatch(/^\/login#id_token=[\w-]+\.[\w-]+\.[\w-]+&next=%2F$/),
      },
      {
        name: 'sends a forged state back to /login with the error', as: 'none', query: { code: 'x', state: 'o1.forged.state' }, status: 302,
        check: (a) => expect(a.headers.get('location')).toMatch(/^\/login#error=OidcInvalidState&/),
      },
    ],
  },
  'GET /api/v1/oauth/callback': {
    params: {},
    calls: [
      { name: 'signs alice in and answers her credential to a JSON client', as: 'none', headers: { accept: 'application/json' }, status: 201, prepare: async () => ({ query: await providerRedirect() }) },
      { name: 'signs her in and answers a browser with a page', as: 'none', headers: { accept: 'text/html' }, status: 200, prepare: async () => ({ query: await providerRedirect() }) },
      { name: 'refuses a callback without a state', as: 'none', query: { code: 'x' }, status: 400, check: code('MissingParameter') },
      { name: 'refuses a forged state', as: 'none', query: { code: 'x', state: 'v1.forged.state' }, status: 400, check: code('InvalidState') },
      {
        name: 'refuses a state used once already', as: 'none', headers: { accept: 'application/json' }, status: 400, check: code('StateReused'),
        prepare: async () => {
          const query = await providerRedirect();
          await fetch(`${manager.url}/api/v1/oauth/callback?${new URLSearchParams(query)}`, { headers: { accept: 'application/json' } });
          return { query };
        },
      },
    ],
  },
};

const BODY_METHODS = new Set(['post', 'put', 'patch']);

/** The calls every operation of a kind gets: the guard's refusals, and the body parser's. */
function commonCalls(method: string, op: OpenApiOperation, route?: RouteCalls): Call[] {
  const guarded = (op.security ?? []).length > 0;
  const body = BODY_METHODS.has(method) ? { json: {} } : {};
  return [
    ...(guarded ? [
      { name: 'refuses a request without a token (401)', as: 'none' as const, status: 401, ...body, check: code('MissingCredentials') },
      { name: 'refuses a token the cluster does not accept (401)', as: 'garbage' as const, status: 401, ...body, check: code('InvalidToken') },
      ...(route?.filtersByRbac ? [] : [{ name: 'refuses a user RBAC does not allow (403)', as: 'nobody' as const, status: 403, ...body, check: code('Forbidden') }]),
    ] : []),
    ...(BODY_METHODS.has(method) ? [
      { name: 'refuses a body that is not JSON (415)', raw: { type: 'text/plain', body: 'branch=main' }, status: 415 },
      { name: 'refuses a body over the limit (413)', raw: { type: 'application/json', body: JSON.stringify({ pad: 'x'.repeat(API_BODY_LIMIT_BYTES) }) }, status: 413 },
      { name: 'refuses a body that is not JSON at all (400)', raw: { type: 'application/json', body: '{"branch": ' }, status: 400 },
    ] : []),
  ];
}

const operations = Object.entries(DOCUMENT.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })));

/** The console's OIDC round trip up to the callback: its query and the browser's binding cookie. */
async function oidcRedirect(): Promise<Partial<Call>> {
  const login = await fetch(`${manager.url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
  const cookie = /^(keelson_oidc=[^;]*)/.exec(login.headers.get('set-cookie') ?? '')![1];
  const atIssuer = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  return { query: Object.fromEntries(new URL(atIssuer.headers.get('location')!).searchParams), headers: { accept: 'text/html', cookie } };
}

/** The OAuth round trip up to the callback: authorize as alice, consent at the double, the callback's query. */
async function providerRedirect(): Promise<Record<string, string>> {
  const authorize = await fetch(`${manager.url}/api/v1/namespaces/demo/sourcecodeproviders/github/authorize`, {
    headers: { authorization: `Bearer ${users().user.token}`, accept: 'text/html' }, redirect: 'manual',
  });
  const atProvider = await fetch(authorize.headers.get('location')!, { redirect: 'manual' });
  return Object.fromEntries(new URL(atProvider.headers.get('location')!).searchParams);
}

function tokenOf(caller: Caller): string | undefined {
  return { alice: users().user.token, admin: users().admin.token, nobody: nobodyToken, none: undefined, garbage: 'garbage-token-no-authenticator-knows' }[caller];
}

async function perform(path: string, method: string, defaults: Record<string, string>, given: Call): Promise<Answer> {
  const call = { ...given, ...(given.prepare ? await given.prepare() : {}) };
  const params = { ...defaults, ...call.params };
  const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(params[name]);
  });
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  const token = tokenOf(call.as ?? 'alice');
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.raw) {
    if (call.raw.type) headers['content-type'] = call.raw.type;
    body = call.raw.body;
  }
  const query = call.query ? `?${new URLSearchParams(call.query)}` : '';
  const res = await fetch(`${manager.url}${concrete}${query}`, { method: method.toUpperCase(), headers, body, redirect: 'manual' });
  const text = res.headers.get('content-type')?.startsWith('text/event-stream') ? await firstEvents(res) : await res.text();
  return { status: res.status, headers: res.headers, body: text, json: () => JSON.parse(text) };
}

/** A stream (SSE) never ends by itself: what arrives first is its answer, then the connection is dropped. */
async function firstEvents(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000).unref());
  const first = await Promise.race([reader.read(), timeout]);
  await reader.cancel();
  return first?.value ? new TextDecoder().decode(first.value) : '';
}

async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  await admin.resource(Core.ServiceAccount).create({ metadata: { namespace, name } });
  const req = await admin.post<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  return req.status.token;
}

/** An execution of `web` at a branch, made through the run API as admin. */
/** The finished execution, once its step logs are sealed (they are archived after its final phase). */
async function sealedLogs(): Promise<Partial<Call>> {
  await untilPhase(executions.finished, 'logs sealed', (e) => e.status?.log?.state === 'Complete');
  return { params: { name: executions.finished } };
}

async function newExecution(branch: string): Promise<string> {
  const res = await stack.api('/api/v1/namespaces/demo/pipelines/web/run', { branch });
  if (res.status !== 201) throw new Error(`run answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.metadata.name;
}

async function untilPhase(name: string, what: string, reached: (e: Awaited<ReturnType<KeelsonStack['execution']>>) => boolean): Promise<void> {
  let last: Awaited<ReturnType<KeelsonStack['execution']>> | undefined;
  await waitFor(`${name}: ${what}`, async () => reached((last = await stack.execution(name))), {
    timeoutMs: 150_000, intervalMs: 250, onTimeout: () => stuckRun(last),
  });
}

/** What a run that did not get there looks like: its status and, when Jenkins has its build, the build's log tail. */
function stuckRun(exe: Awaited<ReturnType<KeelsonStack['execution']>> | undefined): string {
  const build = stack.jenkins.builds().find((b) => Object.values(b.params).some((v) => v === exe?.metadata.uid || v === exe?.metadata.name));
  const console = build ? stack.jenkins.consoleText(build.instance, build.job, build.number)?.slice(-3000) : undefined;
  return JSON.stringify({ spec: exe?.spec, status: exe?.status, build }, null, 1) + (console ? `\n--- build log (tail) ---\n${console}` : '');
}

async function givenObjects(): Promise<void> {
  await admin.resource(Core.Role).create({
    metadata: { namespace: 'demo', name: 'developer' },
    rules: [
      { apiGroups: ['devops.keelson.dev'], resources: ['pipelineexecutions'], verbs: ['create', 'patch', 'get'] },
      { apiGroups: ['devops.keelson.dev'], resources: ['pipelineexecutions/logs'], verbs: ['get'] },
      { apiGroups: ['devops.keelson.dev'], resources: ['pipelines', 'sourcecodecredentials'], verbs: ['create', 'patch', 'get'] },
      { apiGroups: ['devops.keelson.dev'], resources: ['sourcecoderepositories'], verbs: ['list', 'get'] },
    ],
  });
  await admin.resource(Core.RoleBinding).create({
    metadata: { namespace: 'demo', name: 'developer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'developer' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: users().user.name }],
  });
  nobodyToken = await serviceAccountToken('demo', 'nobody');
  await stack.createSetting({ maxConcurrentExecutions: 10 });
  await stack.createPipeline('web');
  await stack.createPipeline('suspended', 'demo', { suspend: true });
  await stack.repo.branch('gated', 'main');
  await stack.repo.checkout('gated');
  await stack.repo.commit({ '.devops.yml': GATED_YML }, 'gated');
  await stack.repo.branch('slow', 'main');
  await stack.repo.checkout('slow');
  await stack.repo.commit({ '.devops.yml': SLOW_YML }, 'slow');
  await stack.repo.checkout('main');
  // Git providers: one alice signs in at (the GitHub double), one disabled.
  github.state.addApp('gh-app', 'gh-secret');
  github.state.addUser('alice-gh', { name: 'Alice Example' });
  github.state.signedIn = 'alice-gh';
  await createProvider(admin, 'github', { type: 'github', serverUrl: github.url, apiUrl: github.apiUrl, clientId: 'gh-app', clientSecret: 'gh-secret' });
  await createProvider(admin, 'disabled', { type: 'github', serverUrl: github.url, apiUrl: github.apiUrl, clientId: 'gh-app', clientSecret: 'gh-secret' });
  await admin.resource(Keelson.SourceCodeProvider).patch('demo', 'disabled', { spec: { enabled: false } });
  // Credentials and the repositories they listed, as the credential controller would have written them (owned by
  // none, so the controller, which cannot list them without a token, leaves them be).
  for (const [user, credential, repository] of [['alice', 'alice-cred', 'alice-web'], ['bob', 'bob-cred', 'bob-api']]) {
    await admin.resource(Keelson.SourceCodeCredential).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name: credential },
      spec: { providerRef: { name: 'github' }, userName: user, loginName: `${user}-gh`, tokenSecretRef: { name: `${credential}-token`, key: 'accessToken' } },
    });
    await admin.resource(Keelson.SourceCodeRepository).create({
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeRepository',
      metadata: { namespace: 'demo', name: repository, labels: { 'keelson.dev/credential': credential } },
      spec: { credentialRef: { name: credential }, fullName: `${user}-gh/${repository}`, url: `${github.url}/${user}-gh/${repository}.git` },
    });
  }
  // Deliveries of `web`, as the webhook intake records them.
  const deliveries = new RedisDeliveryLog({ redisUrl: stack.redis.url, prefix: stack.managerEnvironment().REDIS_PREFIX! });
  await deliveries.record('demo', 'web', { id: 'd-1', provider: 'github', event: 'push', outcome: 'ignored', reason: 'branch docs is not in the filter', status: 200, time: '2030-01-01T00:00:00.000Z' });
  await deliveries.record('demo', 'web', { id: 'd-2', provider: 'github', event: 'push', outcome: 'created', executions: ['web-1'], status: 201, time: '2030-01-01T00:01:00.000Z' });
  await deliveries.close();
  // Executions in the states the routes act on, built for real by the Jenkins double.
  executions.finished = await newExecution('main');
  executions.approve = await newExecution('gated');
  executions.reject = await newExecution('gated');
  executions.stop = await newExecution('slow');
  // Deleted through the resource API (executions cannot be created there).
  executions.doomed = await newExecution('main');
  await Promise.all([
    untilPhase(executions.finished, 'Succeeded', (e) => e.status?.phase === 'Succeeded'),
    untilPhase(executions.approve, 'waiting for approval', (e) => e.status?.stages?.[1]?.steps[0]?.phase === 'Waiting'),
    untilPhase(executions.reject, 'waiting for approval', (e) => e.status?.stages?.[1]?.steps[0]?.phase === 'Waiting'),
  ]);
  executions.rerun = executions.finished;
}

beforeAll(async () => {
  [github, oidc] = await Promise.all([startGitHubDouble(), startOidcProviderDouble()]);
  stack = await KeelsonStack.start({ manager: false, minio: true });
  admin = stack.kube;
  const port = await freePort();
  oidc.state.clients.set('keelson-console', { id: 'keelson-console', secret: 'contract-oidc-secret', redirectUris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`] });
  manager = await stack.startManager({
    PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, OAUTH_STATE_KEY: 'contract-state-key-0123456789abcdef01234567',
    OIDC_ISSUER_URL: oidc.issuer, OIDC_CLIENT_ID: 'keelson-console', OIDC_CLIENT_SECRET: 'contract-oidc-secret',
  });
  await givenObjects();
}, 480_000);

afterAll(async () => {
  await stack?.stop();
  await github?.close();
  await oidc?.close();
});

describe('the call table', () => {
  it('has calls for every operation of the document, and for no operation it lacks', () => {
    expect(Object.keys(ROUTES).sort()).toEqual(operations.map((o) => o.key).sort());
  });

  it('has, for every operation that can succeed, a call that succeeds', () => {
    for (const { key, op } of operations) {
      // An operation refused for good (405: POST pipelineexecutions points to the run route) documents no success.
      const canSucceed = Object.keys(op.responses).some((s) => /^[23]\d\d$/.test(s));
      expect({ key, success: (ROUTES[key]?.calls ?? []).some((c) => c.status < 400) }).toEqual({ key, success: canSucceed });
    }
  });

  it('covers each error class the brief names at least once: 400, 401, 403, 404, 409, 413, 415, 422', () => {
    const statuses = new Set(operations.flatMap(({ method, op, key }) => [...commonCalls(method, op, ROUTES[key]), ...(ROUTES[key]?.calls ?? [])].map((c) => c.status)));
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) expect({ status, covered: statuses.has(status) }).toEqual({ status, covered: true });
  });
});

describe.each(operations)('$key', ({ key, path, method, op }) => {
  const route = ROUTES[key] ?? { params: {}, calls: [] };
  it.each([...route.calls, ...commonCalls(method, op, route)].map((call) => [call.name, call] as const))('%s, as the document says', async (_name, call) => {
    const answer = await perform(path, method, route.params, call);
    expect({ status: answer.status, body: answer.status === call.status ? '' : answer.body.slice(0, 500) }).toEqual({ status: call.status, body: '' });
    expect(validator.checkAnswer(method, path, answer)).toEqual([]);
    await call.check?.(answer);
  });
});

describe('the document and its page', () => {
  it('serves the committed document at /api/v1/openapi.json, without a token', async () => {
    const res = await fetch(`${manager.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(DOCUMENT);
  });

  it('serves the page at /api/v1/docs from the manager alone: no inline script, a strict Content-Security-Policy', async () => {
    const res = await fetch(`${manager.url}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/ src="\/api\/v1\/docs\/[\w.-]+"/);
      expect(inline.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style|style=|https?:\/\//);
    // Everything the page loads is served, with its own type, from the installed swagger-ui-dist and our initializer.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBe(4);
    for (const asset of assets) {
      const loaded = await fetch(`${manager.url}${asset}`);
      expect({ asset, status: loaded.status, nosniff: loaded.headers.get('x-content-type-options') }).toEqual({ asset, status: 200, nosniff: 'nosniff' });
      expect(loaded.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : asset.endsWith('.png') ? /^image\/png/ : /^text\/javascript/);
      expect((await loaded.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const initializer = await (await fetch(`${manager.url}/api/v1/docs/keelson-docs.js`)).text();
    expect(initializer).toContain('"/api/v1/openapi.json"');
    expect(initializer).toContain('validatorUrl: null');
  });

  it('serves no other file under /api/v1/docs: 404 as a problem', async () => {
    for (const name of ['index.html', 'swagger-initializer.js', '..%2Fpackage.json', 'oauth2-redirect.html']) {
      const res = await fetch(`${manager.url}/api/v1/docs/${name}`);
      expect({ name, status: res.status, type: res.headers.get('content-type') }).toEqual({ name, status: 404, type: 'application/problem+json; charset=utf-8' });
    }
  });

  it('answers a path no route has with a 404 problem', async () => {
    const res = await fetch(`${manager.url}/api/v1/namespaces/demo/nothing/here`, { headers: { authorization: `Bearer ${users().user.token}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(validator.validate({ $ref: '#/components/schemas/Problem' }, await res.json())).toEqual([]);
  });
});
