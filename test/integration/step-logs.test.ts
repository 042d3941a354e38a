// Step logs on the real servers (issue 12 §2, scenarios L6, F8, B12): the sync loop archives a running build's
// steps from the Jenkins double into a real MinIO, masked, and seals them; the REST API (mounted on its own, with
// real TokenReview and SubjectAccessReview, and the API's problem filter) reads them back live and archived.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { JenkinsEngineClient } from '@keelson/engine-jenkins';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { executionPrefix, lineTime, MinioLogStore, type StepLogRef } from '@keelson/logs';
import { metricsRegistry, silentLogger } from '@keelson/observability';
import { parsePipelineConfig } from '@keelson/pipeline-config';
import type { QueuedJob } from '@keelson/queue';
import { ControlPlane, MinioServer, waitFor } from '@keelson/servers';
import { ApiAuthModule } from '../../apps/manager/src/api/auth';
import { ExecutionLogsReader } from '../../apps/manager/src/api/logs/execution-logs.reader';
import { LogsController } from '../../apps/manager/src/api/logs/logs.controller';
import { StepLogFollows } from '../../apps/manager/src/api/logs/step-log-follows';
import { JenkinsJobs } from '../../apps/manager/src/executions/jenkins-jobs';
import { BuildSecrets } from '../../apps/manager/src/logs/build-secrets';
import { ExecutionLogArchiver } from '../../apps/manager/src/logs/execution-log.archiver';
import { LogEvents } from '../../apps/manager/src/logs/log-events';
import { LogStores } from '../../apps/manager/src/logs/log-stores';
import { LOG_EVENTS, LOG_STORES } from '../../apps/manager/src/logs/logs.tokens';
import { KUBE } from '../../apps/manager/src/tokens';
import { ExecutionSyncProcessor } from '../../apps/manager/src/sync/execution-sync.processor';
import type { SyncJobData } from '../../apps/manager/src/sync/execution-sync.types';
import { JenkinsDouble, startJenkinsDouble } from '../doubles/jenkins/jenkins-double';
import { SseClient } from '../support/sse-client';

type Execution = ObjectOf<typeof Keelson.PipelineExecution>;

const USER = { username: 'keelson', password: 'jenkins-admin-password-of-the-test' };
const INSTANCE = 'demo-pipeline';

let cp: ControlPlane;
let kube: KubeClient;
let jenkins: JenkinsDouble;
let minio: MinioServer;
let minioDir: string;
let stores: LogStores;
let events: LogEvents;
let app: INestApplication;
let api: string;
let run = 0;

function archiver(options: { chunkBytes?: number; maxLineBytes?: number } = {}): ExecutionLogArchiver {
  const engine = new JenkinsEngineClient();
  const endpoint = async () => ({ url: jenkins.url(INSTANCE), ...USER });
  return new ExecutionLogArchiver({
    engine, stores, events, jenkins: endpoint, jobs: new JenkinsJobs(engine, { jenkins: endpoint }), logger: silentLogger, outageGraceMs: 120_000,
    secrets: new BuildSecrets({ kube, dataPlane: async () => kube, jenkinsPassword: async () => USER.password, minioSecretKey: async () => minio.secretKey }),
    ...options,
  });
}

function processor(logs: ExecutionLogArchiver): ExecutionSyncProcessor {
  return new ExecutionSyncProcessor({
    kube, engine: new JenkinsEngineClient(), logger: silentLogger, logs,
    endpoints: { jenkins: async () => ({ url: jenkins.url(INSTANCE), ...USER }), kube: async () => kube },
    options: { basePollMs: 50, maxPollMs: 200, progressIntervalMs: 0 },
  });
}

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  minioDir = mkdtempSync(join(tmpdir(), 'keelson-logs-minio-'));
  minio = await MinioServer.start(minioDir);
  jenkins = await startJenkinsDouble({ credentials: async () => USER, quietPeriodSeconds: 0 });
  for (const name of ['demo', 'demo-builds']) await kube.resource(Core.Namespace).create({ metadata: { name } });
  // Credentials asked every time (no cache): a restarted MinIO answers on another port with another root secret.
  stores = new LogStores(async () => ({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey }), { timeoutMs: 3_000 }, 0);
  events = new LogEvents();
  const moduleRef = await Test.createTestingModule({
    imports: [ApiAuthModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube: new KubeClient({ kubeconfigPath: cp.managerKubeconfig }), logger: silentLogger })],
    controllers: [LogsController],
    providers: [ExecutionLogsReader, StepLogFollows, { provide: KUBE, useValue: kube }, { provide: LOG_STORES, useValue: stores }, { provide: LOG_EVENTS, useValue: events }],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  api = await app.getUrl();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await jenkins?.stop();
  await minio?.stop();
  if (minioDir) rmSync(minioDir, { recursive: true, force: true });
  await cp?.stop();
});

async function execution(config: string): Promise<Execution> {
  const parsed = parsePipelineConfig(config);
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed)}`);
  run++;
  const name = `web-${run}`;
  const created = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: 'demo' },
    spec: {
      pipelineRef: { name: 'web' }, run, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
      repositoryUrl: 'https://git.example.com/demo/web.git', config: parsed.config as unknown as Record<string, unknown>,
      trigger: { event: 'manual', user: 'admin' }, fork: false, stop: false,
    },
  });
  return kube.resource(Keelson.PipelineExecution).patchStatus('demo', name, { phase: 'Running' }, created.metadata.resourceVersion);
}

/** Runs the execution's sync job like the queue would (delays shortened) until it is done. */
function syncLoop(p: ExecutionSyncProcessor, exe: Execution): { stopped: Promise<void>; stop(): void } {
  const job: QueuedJob<SyncJobData> = {
    id: exe.metadata.uid!, data: { namespace: 'demo', name: exe.metadata.name!, uid: exe.metadata.uid! },
    updateData: async (data) => void (job.data = data),
  };
  let stop = false;
  const stopped = (async () => {
    while (!stop) {
      const outcome = await p.process(job);
      if (outcome.kind === 'done') return;
      await new Promise((r) => setTimeout(r, Math.min(outcome.kind === 'again' ? outcome.afterMs : 50, 100)));
    }
  })();
  return { stopped, stop: () => void (stop = true) };
}

const read = (name: string) => kube.resource(Keelson.PipelineExecution).get('demo', name);
const stepRef = (exe: Execution, stage: number, step: number): StepLogRef => ({ namespace: 'demo', pipeline: 'web', run: exe.spec.run!, stage, step });
const get = (path: string, headers: Record<string, string> = {}, token = cp.admin.token) => fetch(`${api}/api/v1/namespaces/demo/pipelineexecutions/${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
const script = (lines: string[]) => JSON.stringify(lines.join('\n'));
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function finished(name: string, timeoutMs = 60_000): Promise<Execution> {
  let exe: Execution | undefined;
  await waitFor(`${name} to end with its logs archived`, async () => {
    exe = await read(name);
    return ['Succeeded', 'Failed', 'Aborted'].includes(exe.status?.phase ?? '') && ['Complete', 'Partial'].includes(exe.status?.log?.state ?? '');
  }, { timeoutMs, onTimeout: () => JSON.stringify(exe?.status) });
  return exe!;
}

it('follows a step live over SSE while the double writes, and resumes exactly at Last-Event-ID', async () => {
  const exe = await execution(`stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script(['echo line-1', 'sleep 2', 'echo line-2', 'sleep 2', 'echo line-3'])}}\n`);
  const written: string[] = [];
  const unsubscribe = jenkins.onOutput((line) => written.push(line.text));
  const loop = syncLoop(processor(archiver()), exe);
  try {
    await waitFor('the step to run', async () => (await read(exe.metadata.name!)).status?.stages?.[0]?.steps[0]?.phase === 'Running');
    const first = await SseClient.open(`${api}/api/v1/namespaces/demo/pipelineexecutions/${exe.metadata.name}/logs?stage=0&step=0`, { authorization: `Bearer ${cp.admin.token}` });
    const event = await first.next((e) => e.event === 'message' && (e.data as string).includes('line-1'));
    expect(first.headers?.get('content-type')).toContain('text/event-stream');
    // Seen live: the double has not printed the last line yet.
    expect(written).not.toContain('line-3');
    first.close();
    const seenFirst = first.text();
    expect(Number(event.id)).toBe(Buffer.byteLength(seenFirst));

    const second = await SseClient.open(`${api}/api/v1/namespaces/demo/pipelineexecutions/${exe.metadata.name}/logs?stage=0&step=0`, {
      authorization: `Bearer ${cp.admin.token}`, 'last-event-id': event.id!,
    });
    const end = await second.next((e) => e.event === 'end');
    const full = '+ echo line-1\nline-1\n+ sleep 2\n+ echo line-2\nline-2\n+ sleep 2\n+ echo line-3\nline-3\n';
    expect(seenFirst + second.text()).toBe(full);
    expect(end.data).toEqual({ size: Buffer.byteLength(full), complete: true });
    expect(end.id).toBe(String(Buffer.byteLength(full)));
    await second.closedByServer();

    const done = await finished(exe.metadata.name!);
    expect(done.status?.log?.state).toBe('Complete');
    expect(done.status?.stages?.[0]?.steps[0]?.log).toEqual({
      object: `demo/web/${exe.spec.run}/0/0/log`, size: Buffer.byteLength(full), sha256: sha256(full), lines: 8,
    });
    // Sealed: one object, its times and its index; the chunks are gone, and so is the execution's Jenkins job.
    const store = await stores.forProject('demo');
    expect((await store.keys({ namespace: 'demo', pipeline: 'web', run: exe.spec.run! })).sort()).toEqual(
      ['index', 'log', 'times'].map((name) => `demo/web/${exe.spec.run}/0/0/${name}`),
    );
    // When the lines were stored: "+ echo line-3" (line 7) came two `sleep 2` after line 1.
    const index = (await (await get(`${exe.metadata.name}/logs/index?stage=0&step=0`)).json()) as { times: Array<[number, number]> };
    const marks = index.times.map(([line, time]) => ({ line, time }));
    expect(marks[0].line).toBe(1);
    expect(lineTime(marks, 7)! - lineTime(marks, 1)!).toBeGreaterThanOrEqual(3_000);
    await waitFor('the Jenkins job to be deleted', async () => jenkins.jobConfig(INSTANCE, exe.metadata.name!) === undefined);
  } finally {
    unsubscribe();
    loop.stop();
    await loop.stopped;
  }
});

it('archives a 50 MB step and reads it back byte for byte, by range, tail, index and search', async () => {
  const line = `${'0123456789'.repeat(9)}abcdefg`; // 97 characters and a newline
  const count = 540_000;
  const exe = await execution(`stages:\n- name: big\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script([`yes "${line}" | head -n ${count}`, 'echo the-end'])}}\n`);
  const loop = syncLoop(processor(archiver()), exe);
  const header = `+ yes "${line}" | head -n ${count}\n`;
  const trailer = '+ echo the-end\nthe-end\n';
  const expected = createHash('sha256').update(header);
  for (let i = 0; i < count; i++) expected.update(`${line}\n`);
  const digest = expected.update(trailer).digest('hex');
  const size = Buffer.byteLength(header) + count * (line.length + 1) + trailer.length;
  expect(size).toBeGreaterThan(50 * 1024 * 1024);
  try {
    const done = await finished(exe.metadata.name!, 180_000);
    expect(done.status?.stages?.[0]?.steps[0]?.log).toMatchObject({ size, sha256: digest, lines: count + 3 });

    const res = await get(`${exe.metadata.name}/logs?stage=0&step=0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-log-size')).toBe(String(size));
    expect(res.headers.get('x-log-complete')).toBe('true');
    const hash = createHash('sha256');
    let received = 0;
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(part);
      received += part.length;
    }
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(digest);

    // Line 100,000 is one ranged read from the index.
    const index = (await (await get(`${exe.metadata.name}/logs/index?stage=0&step=0`)).json()) as { every: number; offsets: number[] };
    expect(index).toMatchObject({ every: 1000, lines: count + 3, size, complete: true });
    const wanted = 100_000;
    const from = index.offsets[Math.floor((wanted - 1) / index.every)];
    const ranged = await get(`${exe.metadata.name}/logs?stage=0&step=0`, { range: `bytes=${from}-${from + 1000 * 98 + 97}` });
    expect(ranged.status).toBe(206);
    const lines = (await ranged.text()).split('\n');
    expect(lines[(wanted - 1) % index.every]).toBe(line);
    expect(from).toBe(Buffer.byteLength(header) + (Math.floor((wanted - 1) / 1000) * 1000 - 1) * 98);

    const tail = await get(`${exe.metadata.name}/logs?stage=0&step=0&tail=150`);
    expect(await tail.text()).toBe(`${line}\n${trailer}`); // opened at the start of a line
    const search = await (await get(`${exe.metadata.name}/logs/search?stage=0&step=0&q=the-end`)).json();
    expect(search).toEqual({ matches: [{ stage: 0, step: 0, line: count + 2, offset: size - trailer.length }, { stage: 0, step: 0, line: count + 3, offset: size - 'the-end\n'.length }], truncated: false, timedOut: false });
  } finally {
    loop.stop();
    await loop.stopped;
  }
}, 300_000);

/** `n` bytes of a secret with characters that change under URL and JSON encoding. */
function secretOf(n: number): string {
  return `${randomBytes(n).toString('base64url').slice(0, n - 3)}+/"`;
}

/** Every base64 run of the text, decoded at each alignment and in both alphabets. */
function decodedRuns(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{11,}={0,2}/g) ?? []) {
    for (let drop = 0; drop < 4; drop++) {
      const body = run.slice(drop).replace(/=+$/, '');
      out.push(Buffer.from(body, 'base64'), Buffer.from(body, 'base64url'));
    }
  }
  return out;
}

it('B12: no secret of 8, 32 or 64 bytes, in any form, split across two chunks or in a JSON blob, reaches MinIO, the API or the status', async () => {
  const secrets = { S8: secretOf(8), S32: secretOf(32), S64: secretOf(64) };
  await kube.resource(Core.Secret).create({
    metadata: { name: 'canary', namespace: 'demo', labels: { 'keelson.dev/build-secret': 'true' } },
    data: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
  const lines: string[] = [];
  for (const value of Object.values(secrets)) {
    lines.push(`echo raw ${value} end`);
    for (const prefix of ['', 'a', 'ab']) {
      lines.push(`echo b64 ${Buffer.from(`${prefix}${value}z`).toString('base64')}`);
      lines.push(`echo b64url ${Buffer.from(`${prefix}${value}`).toString('base64url')}`);
    }
    lines.push(`echo url ${encodeURIComponent(value)}`, `echo json ${JSON.stringify(value)}`);
    lines.push(`echo {"registry":{"auth":${JSON.stringify(value)},"user":"ci"},"n":1}`);
    // A line longer than a chunk with the value across the chunk boundary (chunks of 4 KiB here).
    lines.push(`echo ${'x'.repeat(4096 - 8 - value.length / 2)}${value}${'y'.repeat(300)}`);
  }
  lines.push(`echo admin ${USER.password}`, `echo minio ${Buffer.from(minio.secretKey).toString('base64')}`);
  const envFrom = Object.keys(secrets).map((k) => `{sourceName: canary, sourceKey: ${k}}`).join(', ');
  const exe = await execution(`stages:\n- name: leak\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script(lines)}}\n    envFrom: [${envFrom}]\n`);
  const loop = syncLoop(processor(archiver({ chunkBytes: 4096, maxLineBytes: 4096 })), exe);
  const store = await stores.forProject('demo');
  const stored: string[] = [];
  try {
    let lastStatus: unknown;
    // While it is live too: every chunk as it is written.
    const ref = stepRef(exe, 0, 0);
    await waitFor('chunks or the sealed log', async () => {
      for (const key of await store.keys({ namespace: 'demo', pipeline: 'web', run: exe.spec.run! })) {
        const raw = await readObject(key).catch(() => undefined);
        if (raw) stored.push(raw);
      }
      const status = (await read(exe.metadata.name!)).status;
      lastStatus = status;
      if (status?.phase === 'Failed') throw new Error(`the canary build failed: ${status.reason}`);
      return (await store.sealed(ref)) !== undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, onTimeout: () => JSON.stringify(lastStatus) });
    const done = await finished(exe.metadata.name!);
    expect(done.status?.log?.state).toBe('Complete');
    for (const key of await store.keys({ namespace: 'demo', pipeline: 'web', run: exe.spec.run! })) stored.push(await readObject(key));
    const sealedLog = await readObject(`${executionPrefix({ namespace: 'demo', pipeline: 'web', run: exe.spec.run! })}0/0/log`);
    expect(sealedLog).toContain('echo raw *** end');
    expect((sealedLog.match(/\*\*\*/g) ?? []).length).toBeGreaterThanOrEqual(Object.keys(secrets).length * 11);

    const base = `${exe.metadata.name}/logs`;
    const sse = await SseClient.open(`${api}/api/v1/namespaces/demo/pipelineexecutions/${base}?stage=0&step=0`, { authorization: `Bearer ${cp.admin.token}` });
    await sse.next((e) => e.event === 'end');
    const answers = [
      await (await get(base)).text(), await (await get(`${base}?stage=0&step=0&download=1`)).text(),
      await (await get(`${base}/index?stage=0&step=0`)).text(), JSON.stringify(sse.events),
      ...(await Promise.all(Object.values(secrets).map(async (v) => (await get(`${base}/search?q=${encodeURIComponent(v)}`)).text()))),
    ];
    for (const v of Object.values(secrets)) expect(JSON.parse(answers[answers.length - 1]).matches).toEqual([]), void v;
    const everything = [...stored, ...answers, JSON.stringify(done.status)];
    const forbidden = [...Object.values(secrets), USER.password, minio.secretKey];
    for (const text of everything) {
      for (const value of forbidden) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(encodeURIComponent(value));
        expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
        for (const decoded of decodedRuns(text)) expect(decoded.includes(Buffer.from(value))).toBe(false);
      }
    }
  } finally {
    loop.stop();
    await loop.stopped;
  }
}, 120_000);

async function readObject(key: string): Promise<string> {
  const store = new MinioLogStore({ url: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey });
  const parts: Buffer[] = [];
  // Any object: read through the store's ranged reader of a pseudo step whose sealed key is the object.
  const client = (store as unknown as { client: import('minio').Client }).client;
  for await (const part of (await client.getObject('keelson-logs', key)) as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

it('F8: MinIO stopped mid-step: the status goes on and says Partial, nothing is lost, and the next steps log once it is back', async () => {
  const exe = await execution(`stages:\n- name: one\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script(['echo before', 'sleep 3', 'echo after'])}}\n- name: two\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script(['echo next', 'sleep 3', 'echo last'])}}\n`);
  const loop = syncLoop(processor(archiver()), exe);
  const first = stepRef(exe, 0, 0);
  try {
    await waitFor('the first chunk', async () => (await (await stores.forProject('demo')).chunks(first)).length > 0);
    await minio.stop();
    const partial = await waitForStatus(exe.metadata.name!, (s) => s.log?.state === 'Partial');
    expect(partial.phase).toBe('Running');
    expect(partial.log?.reason).toMatch(/^log storage is unavailable since .*; output is kept in Jenkins/);
    // A reader is told "temporarily unavailable", not an error.
    const unavailable = await get(`${exe.metadata.name}/logs?stage=0&step=0`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('content-type')).toContain('application/problem+json');
    expect(await unavailable.json()).toMatchObject({ type: 'https://keelson.dev/problems/unavailable', detail: expect.stringMatching(/^log temporarily unavailable/) });
    // The status still follows the build while MinIO is away.
    await waitForStatus(exe.metadata.name!, (s) => s.stages?.[0]?.steps[0]?.phase === 'Succeeded' || s.stages?.[1]?.steps[0]?.phase === 'Running');

    minio = await MinioServer.start(minioDir);
    const second = stepRef(exe, 1, 0);
    await waitFor('the next step to log live', async () => (await (await stores.forProject('demo')).chunks(second).catch(() => [])).length > 0 || (await read(exe.metadata.name!)).status?.stages?.[1]?.steps[0]?.log !== undefined);
    const done = await finished(exe.metadata.name!);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.log?.state).toBe('Complete');
    const one = '+ echo before\nbefore\n+ sleep 3\n+ echo after\nafter\n';
    const two = '+ echo next\nnext\n+ sleep 3\n+ echo last\nlast\n';
    expect(done.status?.stages?.[0]?.steps[0]?.log).toMatchObject({ size: one.length, sha256: sha256(one) });
    expect(done.status?.stages?.[1]?.steps[0]?.log).toMatchObject({ size: two.length, sha256: sha256(two) });
    expect(await (await get(`${exe.metadata.name}/logs`)).text()).toBe(`==> stage 0 "one" / step 0 "step-1" <==\n${one}\n==> stage 1 "two" / step 0 "step-1" <==\n${two}\n`);
  } finally {
    loop.stop();
    await loop.stopped;
  }
}, 120_000);

async function waitForStatus(name: string, test: (s: NonNullable<Execution['status']>) => boolean): Promise<NonNullable<Execution['status']>> {
  let status: Execution['status'];
  await waitFor(`${name}'s status`, async () => {
    status = (await read(name)).status;
    return Boolean(status && test(status));
  }, { timeoutMs: 30_000, onTimeout: () => JSON.stringify(status) });
  return status!;
}

it('records the cache lookups a sealed step log starts with on the step, and counts each once', async () => {
  // The double prints what the script echoes: here the lines a cache wrapper prints (a real one: cache-wrapper.spec).
  const exe = await execution(`stages:\n- name: build\n  steps:\n  - runScriptConfig: {image: alpine, shellScript: ${script([
    'echo "keelson-cache: key=deps-main result=hit lock=held"', 'echo "keelson-cache: key=fork-out result=miss lock=readonly"', 'echo built',
  ])}}\n  - runScriptConfig: {image: alpine, shellScript: echo none}\n`);
  const metric = async (result: string) => Number((await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'keelson_cache_lookups_total')
    ?.values.find((v) => v.labels.result === result)?.value ?? 0);
  const [hits, misses] = [await metric('hit'), await metric('miss')];
  const loop = syncLoop(processor(archiver()), exe);
  try {
    const done = await finished(exe.metadata.name!);
    expect(done.status?.stages?.[0]?.steps[0]?.cache).toEqual([
      { key: 'deps-main', result: 'hit', lock: 'held' }, { key: 'fork-out', result: 'miss', lock: 'readonly' },
    ]);
    expect(done.status?.stages?.[0]?.steps[1]?.cache).toBeUndefined();
    expect([await metric('hit'), await metric('miss')]).toEqual([hits + 1, misses + 1]);
  } finally {
    loop.stop();
    await loop.stopped;
  }
});

it('answers refusals as problems: 403 without the logs subresource, 404, 400 naming the field, 416', async () => {
  const exe = (await kube.resource(Keelson.PipelineExecution).list('demo')).items.find((e) => e.status?.log?.state === 'Complete')!;
  const forbidden = await get(`${exe.metadata.name}/logs?stage=0&step=0`, {}, cp.user.token);
  expect(forbidden.status).toBe(403);
  expect((await get('nope/logs?stage=0&step=0')).status).toBe(404);
  const missing = await get(`${exe.metadata.name}/logs?stage=9&step=0`);
  expect(missing.status).toBe(404);
  const bad = await get(`${exe.metadata.name}/logs?stage=x&step=0`);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ errors: [{ pointer: '/query/stage' }] });
  const half = await get(`${exe.metadata.name}/logs?stage=0`);
  expect(await half.json()).toMatchObject({ status: 400, errors: [{ pointer: '/query/step' }] });
  const size = Number((await get(`${exe.metadata.name}/logs?stage=0&step=0`)).headers.get('x-log-size'));
  const past = await get(`${exe.metadata.name}/logs?stage=0&step=0`, { range: `bytes=${size}-` });
  expect(past.status).toBe(416);
  expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
  const regex = await get(`${exe.metadata.name}/logs/search?regex=(`);
  expect(regex.status).toBe(400);
});
