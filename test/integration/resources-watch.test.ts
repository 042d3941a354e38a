// Watches over Server-Sent Events on a real kube-apiserver, fed by the manager's informers: events with the
// resourceVersion as id, a resume after a dropped connection (Last-Event-ID) with nothing lost or repeated, "too
// old, list again", a watch from a list's resourceVersion, label selectors that see objects enter and leave, the one
// stream per tab (GET /api/v1/events) naming the kinds it left out and refusing a log it may not follow, per-namespace authorisation across namespaces,
// heartbeats, and a stream that ends when its caller's RoleBinding goes.
import { Core, Keelson } from '@keelson/kube';
import { ALL_RESOURCES, API_VERSION, ResourceApiStack } from '../support/resource-api-stack';
import { SseClient, type SseEvent } from '../support/sse-client';

let stack: ResourceApiStack;
const open: SseClient[] = [];

beforeAll(async () => {
  stack = await ResourceApiStack.start(['demo', 'other'], { WATCH_HEARTBEAT_SECONDS: '1' });
  await stack.grantAlice('demo', 'watcher', ['pipelines', 'pipelineexecutions'], ['get', 'list', 'watch']);
}, 120_000);

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

afterAll(async () => {
  await stack?.stop();
});

async function watch(path: string, token = stack.adminToken, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.open(`${stack.manager.url}/api/v1${path}`, { authorization: `Bearer ${token}`, ...headers });
  open.push(client);
  return client;
}

const changes = (events: SseEvent[]) => events.filter((e) => ['ADDED', 'MODIFIED', 'DELETED'].includes(e.event));
const named = (events: SseEvent[], name: string) => changes(events).filter((e) => e.data.metadata.name === name);

describe('?watch=true', () => {
  it('streams ADDED, MODIFIED and DELETED with the resourceVersion as the event id', async () => {
    const client = await watch('/namespaces/demo/pipelines?watch=true');
    expect(client.status).toBe(200);
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    await stack.createPipeline('demo', 'live');
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'live', { spec: { suspend: true } });
    await stack.admin.resource(Keelson.Pipeline).delete('demo', 'live');
    await client.until((ev) => named(ev, 'live').length === 3, 'three events of live');
    const events = named(client.events, 'live');
    expect(events.map((e) => e.event)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    for (const e of events) {
      expect(e.id).toBe(e.data.metadata.resourceVersion);
      expect(e.data).toMatchObject({ apiVersion: API_VERSION, kind: 'Pipeline' });
      expect(e.data.metadata.managedFields).toBeUndefined();
    }
    expect(Number(events[2].id)).toBeGreaterThan(Number(events[1].id));
  });

  it('resumes after a dropped connection from Last-Event-ID: every change missed, once, in order', async () => {
    const first = await watch('/namespaces/demo/pipelines?watch=true', stack.alice);
    await stack.createPipeline('demo', 'resume-a');
    await first.until((ev) => named(ev, 'resume-a').length === 1, 'resume-a added');
    const lastSeen = first.lastEventId!;
    first.close();

    // While nobody watches: a change to what was seen, a new one, and a deletion.
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'resume-a', { spec: { displayName: 'a' } });
    await stack.createPipeline('demo', 'resume-b');
    await stack.admin.resource(Keelson.Pipeline).delete('demo', 'resume-a');
    await new Promise((r) => setTimeout(r, 300));

    const second = await watch('/namespaces/demo/pipelines?watch=true', stack.alice, { 'last-event-id': lastSeen });
    await second.until((ev) => changes(ev).length >= 3, 'the three missed changes');
    await new Promise((r) => setTimeout(r, 300));
    expect(changes(second.events).map((e) => [e.event, e.data.metadata.name])).toEqual([
      ['MODIFIED', 'resume-a'], ['ADDED', 'resume-b'], ['DELETED', 'resume-a'],
    ]);
    expect(second.events[0]).toMatchObject({ event: 'SUBSCRIBED', id: lastSeen });
  });

  it('tells a client whose version is too old to list again (ERROR 410), and ends the stream', async () => {
    const client = await watch('/namespaces/demo/pipelines?watch=true', stack.alice, { 'last-event-id': '1' });
    await client.closedByServer();
    const error = client.events.find((e) => e.event === 'ERROR');
    expect(error?.data).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('watches from the resourceVersion of a list: the changes after the list, none before', async () => {
    await stack.createExecution('demo', 'web', 1, { phase: 'Queued' });
    const list = await stack.call('GET', '/namespaces/demo/pipelineexecutions', { token: stack.alice });
    expect(list.body.items.map((e: any) => e.metadata.name)).toContain('web-1');
    await stack.asManager.resource(Keelson.PipelineExecution).patchStatus('demo', 'web-1', { phase: 'Running' });
    await new Promise((r) => setTimeout(r, 300));
    const client = await watch(`/namespaces/demo/pipelineexecutions?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, stack.alice);
    await client.until((ev) => named(ev, 'web-1').length >= 1, 'web-1 change');
    expect(named(client.events, 'web-1').map((e) => [e.event, e.data.status.phase])).toEqual([['MODIFIED', 'Running']]);
  });

  it('follows a label selector as objects enter and leave it', async () => {
    const client = await watch('/namespaces/demo/pipelines?watch=true&labelSelector=team%3Dred');
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    await stack.createPipeline('demo', 'teamed', { team: 'blue' });
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'teamed', { metadata: { labels: { team: 'red' } } });
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'teamed', { spec: { suspend: true } });
    await stack.admin.resource(Keelson.Pipeline).patch('demo', 'teamed', { metadata: { labels: { team: 'green' } } });
    await client.until((ev) => named(ev, 'teamed').length === 3, 'three events');
    expect(named(client.events, 'teamed').map((e) => e.event)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('refuses a caller without watch rights with 403 problem+json, not a stream', async () => {
    const client = await watch('/namespaces/demo/pipelines?watch=true', stack.bobToken);
    expect(client.status).toBe(403);
    expect(client.events[0].data).toMatchObject({ type: 'https://keelson.dev/problems/forbidden', verb: 'watch' });
  });

  it('sends a heartbeat comment and a bookmark while nothing it may see changes', async () => {
    const client = await watch('/namespaces/demo/pipelineexecutions?watch=true', stack.alice);
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    const start = client.lastEventId;
    await stack.createPipeline('other', 'elsewhere-1');
    await client.until(() => client.comments >= 2, 'two heartbeats', 5000);
    const bookmark = client.events.find((e) => e.event === 'BOOKMARK');
    expect(bookmark?.id).toBeDefined();
    expect(BigInt(bookmark!.id!)).toBeGreaterThan(BigInt(start!));
    expect(changes(client.events)).toEqual([]);
  });
});

describe('across namespaces', () => {
  it('sends alice the changes of the namespaces she may watch, and not the others', async () => {
    const client = await watch('/pipelines?watch=true', stack.alice);
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    await stack.createPipeline('other', 'hidden');
    await stack.createPipeline('demo', 'shown');
    await client.until((ev) => named(ev, 'shown').length === 1, 'shown');
    await new Promise((r) => setTimeout(r, 300));
    expect(changes(client.events).map((e) => e.data.metadata.name)).toEqual(['shown']);
  });
});

describe('GET /api/v1/events: one stream per tab', () => {
  it('carries every kind alice may watch in the namespace, and names the ones it left out', async () => {
    const client = await watch('/events?namespace=demo', stack.alice);
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    const subscribed = client.events[0].data;
    expect(subscribed.resources).toEqual(['pipelines', 'pipelineexecutions']);
    expect(subscribed.omittedResources).toEqual(ALL_RESOURCES.filter((r) => !['pipelines', 'pipelineexecutions'].includes(r)));

    await stack.createPipeline('demo', 'tab');
    await stack.createExecution('demo', 'tab', 1);
    await stack.admin.resource(Keelson.PipelineSetting).create({
      apiVersion: API_VERSION, kind: 'PipelineSetting', metadata: { namespace: 'demo', name: 'settings' },
      spec: { maxConcurrentExecutions: 2, historyLimit: 10, logRetentionDays: 7 },
    } as never);
    await client.until((ev) => named(ev, 'tab').length === 1 && named(ev, 'tab-1').length === 1, 'pipeline and execution');
    await new Promise((r) => setTimeout(r, 300));
    expect(changes(client.events).map((e) => `${e.data.kind}/${e.data.metadata.name}`)).toEqual(['Pipeline/tab', 'PipelineExecution/tab-1']);
  });

  it('refuses a followed log before the stream opens: 403 naming log without pipelineexecutions/logs, 404 for no such step, 400 for no step', async () => {
    await stack.createPipeline('demo', 'logs');
    await stack.createExecution('demo', 'logs', 1);
    const refused = await stack.call('GET', '/events?log=demo/logs-1/0/0', { token: stack.alice, headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(403); // alice may watch the runs, not read their logs
    expect(refused.body.errors).toEqual([expect.objectContaining({ pointer: '/query/log' })]);
    for (const log of ['demo/logs-1/0/0', 'demo/nope/0/0']) {
      const missing = await stack.call('GET', `/events?log=${log}`, { headers: { accept: 'text/event-stream' } });
      expect({ log, status: missing.status, pointers: missing.body.errors?.map((e: { pointer: string }) => e.pointer) }).toEqual({ log, status: 404, pointers: ['/query/log'] });
    }
    const malformed = await stack.call('GET', '/events?log=logs-1/0/0&logFrom=x', { headers: { accept: 'text/event-stream' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/query/log']);
  });

  it('answers 403 when the caller may watch none of them there', async () => {
    const res = await stack.call('GET', '/events?namespace=other', { token: stack.alice });
    expect(res.status).toBe(403);
  });

  it('keeps secrets out of the events it sends', async () => {
    const TOKEN = 'gho_NEVER-IN-AN-EVENT-0123456789';
    const client = await watch('/events?namespace=demo&resources=sourcecodecredentials');
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    await stack.admin.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'tok' }, stringData: { accessToken: TOKEN } });
    await stack.admin.resource(Keelson.SourceCodeCredential).create({
      apiVersion: API_VERSION, kind: 'SourceCodeCredential',
      metadata: { namespace: 'demo', name: 'cred', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ t: TOKEN }) } },
      spec: { providerRef: { name: 'github' }, userName: 'alice', loginName: 'a', tokenSecretRef: { name: 'tok', key: 'accessToken' } },
    } as never);
    await client.until((ev) => named(ev, 'cred').length === 1, 'cred');
    expect(JSON.stringify(client.events)).not.toContain(TOKEN);
  });
});

describe('access is checked again at every heartbeat', () => {
  it('ends alice\'s stream (ERROR 403) once her RoleBinding is gone', async () => {
    // A namespace of its own: no earlier refusal of alice there sits in the review cache.
    await stack.admin.resource(Core.Namespace).create({ metadata: { name: 'short' } });
    await stack.grantAlice('short', 'short-lived', ['pipelines'], ['watch']);
    const client = await watch('/namespaces/short/pipelines?watch=true', stack.alice);
    expect(client.status).toBe(200);
    await client.until((ev) => ev.some((e) => e.event === 'SUBSCRIBED'), 'SUBSCRIBED');
    await stack.revokeAlice('short', 'short-lived');
    // The review cache keeps an answer for 10 s; the next heartbeat after that asks again.
    await client.closedByServer(20_000);
    expect(client.events.find((e) => e.event === 'ERROR')?.data).toMatchObject({ code: 403, reason: 'Forbidden' });
  }, 30_000);
});
