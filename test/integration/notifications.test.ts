// Commit statuses and notifications end to end, against real servers: the apiserver holds the execution, the
// notifier Secrets, the recorded outcomes and the events; a private Redis holds the BullMQ report queue; real
// HTTP receivers stand in for Slack, DingTalk and WeCom robots and a generic webhook; a real SMTP server takes
// the mail. Retries, refusals and duplicate observations are seen from the receivers' side.
import { createHmac } from 'node:crypto';
import type { PipelineExecution } from '@keelson/crds';
import { Core, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { NOTIFIER_LABEL } from '@keelson/notifications';
import { silentLogger } from '@keelson/observability';
import { BullmqRetryingJobQueue } from '@keelson/queue';
import { ControlPlane, RedisServer, waitFor } from '@keelson/servers';
import { ExecutionReportHook } from '../../apps/manager/src/reporting/execution-report.hook';
import { ReportProcessor } from '../../apps/manager/src/reporting/report.processor';
import { notificationTarget, type ReportJobData } from '../../apps/manager/src/reporting/report-jobs';
import { RecordingCommitStatusReporter } from '../../apps/manager/src/reporting/testing/recording-commit-status.reporter';
import { HttpReceiver, parseMail, SmtpReceiver } from '../support/notification-receivers';

const NS = 'notify-demo';
const CONSOLE = 'https://keelson.example.com';
const DING_SECRET = 'SECd5a6c2c0b3e5f1f0b7a4d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2';
const HOOK_SECRET = 'webhook-signing-secret-7f3a';
const SMTP_PASSWORD = 'smtp-password-9c2e';
const ROBOT_TOKEN = 'robot-token-5b1d';
const POLICY = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

let cp: ControlPlane;
let kube: KubeClient;
let redis: RedisServer;
let receiver: HttpReceiver;
let smtp: SmtpReceiver;
let reporter: RecordingCommitStatusReporter;
const queues: BullmqRetryingJobQueue<ReportJobData>[] = [];

function openQueue(name: string, withWorker: boolean): BullmqRetryingJobQueue<ReportJobData> {
  const queue = new BullmqRetryingJobQueue<ReportJobData>({ name, redisUrl: redis.url, prefix: 'keelson-notify-test', retry: { attempts: 3, backoffMs: 100 } });
  queues.push(queue);
  if (withWorker) {
    const processor = new ReportProcessor({ kube, reporter, consoleUrl: CONSOLE, outbound: POLICY, logger: silentLogger, timeoutMs: 5_000 });
    queue.startWorker((job) => processor.process(job), { concurrency: 4 });
  }
  return queue;
}

async function notifier(name: string, data: Record<string, string>, labelled = true): Promise<void> {
  await kube.resource(Core.Secret).create({
    metadata: { name, namespace: NS, ...(labelled ? { labels: { [NOTIFIER_LABEL]: 'true' } } : {}) },
    stringData: data,
  });
}

async function finishedExecution(name: string, phase: 'Failed' | 'Succeeded', notification: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ObjectOf<typeof Keelson.PipelineExecution>> {
  const created = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name, namespace: NS },
    spec: {
      pipelineRef: { name: 'web' }, run: 7, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', ref: 'refs/heads/main',
      repositoryUrl: 'https://git.example.com/demo/web.git', author: { name: 'Ada <ada@example.com>' }, fork: false, stop: false,
      trigger: { event: 'push', deliveryId: `delivery-${name}` }, config: { stages: [], notification }, ...extra,
    },
  });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return kube.resource(Keelson.PipelineExecution).patchStatus(NS, name, {
    phase, reason: phase === 'Failed' ? 'stage build: <script> exited 1' : 'all stages succeeded', startTime: now, completionTime: now,
  }, created.metadata.resourceVersion);
}

async function recordsOf(name: string, count: number): Promise<NonNullable<NonNullable<PipelineExecution['status']>['notifications']>> {
  let records: NonNullable<NonNullable<PipelineExecution['status']>['notifications']> = [];
  await waitFor(`${count} recorded reports on ${name}`, async () => {
    records = (await kube.resource(Keelson.PipelineExecution).get(NS, name)).status?.notifications ?? [];
    return records.length >= count;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  return records;
}

beforeAll(async () => {
  [cp, redis, receiver] = await Promise.all([ControlPlane.start(), RedisServer.start(), HttpReceiver.start()]);
  smtp = await SmtpReceiver.start('ci-bot', SMTP_PASSWORD);
  kube = new KubeClient({ kubeconfigPath: cp.managerKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: NS } });
  await notifier('slack', { type: 'slack', url: receiver.url('/slack/services/T0/B0/X0') });
  await notifier('hook', { type: 'webhook', url: receiver.url('/hook'), secret: HOOK_SECRET });
  await notifier('ding', { type: 'dingtalk', url: receiver.url(`/ding/robot/send?access_token=${ROBOT_TOKEN}`), secret: DING_SECRET });
  await notifier('wecom', { type: 'wecom', url: receiver.url(`/wecom/cgi-bin/webhook/send?key=${ROBOT_TOKEN}`) });
  await notifier('mail', { type: 'smtp', host: '127.0.0.1', port: String(smtp.port), tls: 'none', username: 'ci-bot', password: SMTP_PASSWORD, from: 'keelson@example.com' });
  await notifier('flaky', { type: 'webhook', url: receiver.url('/flaky') });
  await notifier('metadata', { type: 'webhook', url: `http://169.254.169.254/latest/meta-data/?token=${ROBOT_TOKEN}` });
  await notifier('unlabelled', { type: 'webhook', url: receiver.url('/unlabelled') }, false);
}, 180_000);

beforeEach(() => {
  reporter = new RecordingCommitStatusReporter();
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
});

afterAll(async () => {
  await Promise.all([receiver?.stop(), smtp?.stop(), redis?.stop()]);
  await cp?.stop();
});

it('delivers a failed webhook run\'s commit status and notifications to every channel, once, and records them', async () => {
  const recipients = [
    { recipient: '#ci', notifier: 'slack' }, { recipient: 'ops', notifier: 'hook' }, { recipient: '@all', notifier: 'ding' },
    { recipient: '@all', notifier: 'wecom' }, { recipient: 'dev@example.com', notifier: 'mail' },
  ];
  const exe = await finishedExecution('web-7', 'Failed', { recipients, condition: ['Failed'] });
  const queue = openQueue('all-channels', true);
  const hook = new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: true });
  const before = Date.now();
  await hook.observe(exe, () => []);
  const records = await recordsOf('web-7', 6);
  expect(records.map((r) => [r.target, r.outcome, r.attempts]).sort()).toEqual([
    ['commit-status', 'Delivered', 1], ['ding', 'Delivered', 1], ['hook', 'Delivered', 1], ['mail', 'Delivered', 1], ['slack', 'Delivered', 1], ['wecom', 'Delivered', 1],
  ]);
  expect(records.find((r) => r.target === 'slack')).toMatchObject({ id: `${exe.metadata.uid}:Failed:${notificationTarget('slack', '#ci')}`, recipient: '#ci', phase: 'Failed' });

  // The commit status, through the port.
  expect(reporter.reported).toEqual([{
    execution: `${NS}/web-7`, commit: exe.spec.commit, state: 'failure',
    details: { context: 'keelson/web', targetUrl: `${CONSOLE}/p/${NS}/pipelines/web/runs/web-7`, description: 'Run #7 failed: stage build: <script> exited 1' },
  }]);
  const text = [
    'Pipeline notify-demo/web run #7: Failed', 'branch main, commit 0123456, by Ada <ada@example.com>',
    'Reason: stage build: <script> exited 1', `${CONSOLE}/p/${NS}/pipelines/web/runs/web-7`,
  ].join('\n');

  // Slack: JSON with its control characters escaped, and the channel.
  const [slack] = receiver.at('/slack/services/T0/B0/X0');
  expect(slack.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(JSON.parse(slack.body)).toEqual({ text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), channel: '#ci' });

  // Generic webhook: the facts as fields, signed over the exact bytes received.
  const [hooked] = receiver.at('/hook');
  expect(hooked.headers['x-keelson-signature-256']).toBe(`sha256=${createHmac('sha256', HOOK_SECRET).update(hooked.body).digest('hex')}`);
  expect(JSON.parse(hooked.body)).toMatchObject({ recipient: 'ops', text, execution: { project: NS, pipeline: 'web', run: 7, phase: 'Failed', commit: exe.spec.commit, branch: 'main' } });

  // DingTalk: plain text message, the token kept, timestamp and sign verified as DingTalk verifies them.
  const [ding] = receiver.at('/ding/robot/send');
  const timestamp = Number(ding.query.get('timestamp'));
  expect(ding.query.get('access_token')).toBe(ROBOT_TOKEN);
  expect(timestamp).toBeGreaterThanOrEqual(before);
  expect(ding.query.get('sign')).toBe(createHmac('sha256', DING_SECRET).update(`${timestamp}\n${DING_SECRET}`).digest('base64'));
  expect(JSON.parse(ding.body)).toEqual({ msgtype: 'text', text: { content: text }, at: { isAtAll: true, atMobiles: [] } });

  // WeCom: plain text message to the robot key.
  const [wecom] = receiver.at('/wecom/cgi-bin/webhook/send');
  expect(wecom.query.get('key')).toBe(ROBOT_TOKEN);
  expect(JSON.parse(wecom.body)).toEqual({ msgtype: 'text', text: { content: text, mentioned_list: ['@all'] } });

  // SMTP: authenticated, addressed, subject and body.
  expect(smtp.mails).toHaveLength(1);
  const [mail] = smtp.mails;
  expect(mail).toMatchObject({ from: 'keelson@example.com', to: ['dev@example.com'], user: 'ci-bot' });
  const parsed = parseMail(mail.raw);
  expect(parsed.header('subject')).toBe('[keelson] notify-demo/web #7 Failed');
  expect(parsed.header('from')).toBe('keelson@example.com');
  expect(parsed.header('to')).toBe('dev@example.com');
  expect(parsed.body.replace(/\r\n/g, '\n')).toBe(text);

  // Observed again, by this hook, by a new one (a restarted manager) and through a new queue client: nothing
  // is sent twice, whether the queue or the recorded status catches it.
  const restarted = openQueue('all-channels', true);
  const fresh = await kube.resource(Keelson.PipelineExecution).get(NS, 'web-7');
  await hook.observe(fresh, () => []);
  await new ExecutionReportHook({ queue: restarted, logger: silentLogger, commitStatus: true }).observe(exe, () => []);
  await new ExecutionReportHook({ queue: restarted, logger: silentLogger, commitStatus: true }).observe(fresh, () => []);
  await new Promise((r) => setTimeout(r, 1_500));
  expect(receiver.requests.filter((r) => r.path !== '/flaky')).toHaveLength(4);
  expect(smtp.mails).toHaveLength(1);
  expect(reporter.reported).toHaveLength(1);
  expect((await kube.resource(Keelson.PipelineExecution).get(NS, 'web-7')).status?.notifications).toHaveLength(6);
});

it('retries a receiver that answers 500, then records the delivery with its attempts', async () => {
  receiver.scripted.set('/flaky', [{ status: 500, body: 'upstream hiccup' }]);
  const exe = await finishedExecution('web-8', 'Failed', { recipients: [{ recipient: 'ops', notifier: 'flaky' }], condition: ['Failed'] });
  const hook = new ExecutionReportHook({ queue: openQueue('flaky', true), logger: silentLogger, commitStatus: false });
  await hook.observe(exe, () => []);
  const [record] = await recordsOf('web-8', 1);
  expect(record).toMatchObject({ target: 'flaky', outcome: 'Delivered', attempts: 2 });
  const flaky = receiver.at('/flaky');
  expect(flaky).toHaveLength(2);
  expect(flaky[0].body).toBe(flaky[1].body);
});

it('refuses the metadata address without a request, and records failures without any secret', async () => {
  reporter.failures.push(Object.assign(new Error('repository demo/web is gone'), { retryable: false }));
  const exe = await finishedExecution('web-9', 'Failed', {
    recipients: [{ recipient: 'ops', notifier: 'metadata' }, { recipient: 'ops', notifier: 'unlabelled' }, { recipient: 'not-an-address', notifier: 'mail' }], condition: ['Failed'],
  });
  const requestsBefore = receiver.requests.length;
  const mailsBefore = smtp.mails.length;
  const hook = new ExecutionReportHook({ queue: openQueue('refusals', true), logger: silentLogger, commitStatus: true });
  await hook.observe(exe, () => []);
  const records = await recordsOf('web-9', 4);
  const byTarget = Object.fromEntries(records.map((r) => [r.target, r]));
  expect(byTarget.metadata).toMatchObject({ outcome: 'Refused', attempts: 1 });
  expect(byTarget.metadata.message).toMatch(/notifier metadata \(webhook\): host "169\.254\.169\.254" is 169\.254\.169\.254, a link-local address .*the cloud metadata address/);
  expect(byTarget.unlabelled).toMatchObject({ outcome: 'Failed', attempts: 1, message: `notifier unlabelled: no Secret unlabelled labelled ${NOTIFIER_LABEL}=true in namespace ${NS}` });
  expect(byTarget.mail).toMatchObject({ outcome: 'Failed', attempts: 1, message: 'notifier mail (smtp): recipient is not an email address' });
  expect(byTarget['commit-status']).toMatchObject({ outcome: 'Failed', attempts: 1, message: 'repository demo/web is gone' });
  expect(receiver.requests.length).toBe(requestsBefore);
  expect(smtp.mails.length).toBe(mailsBefore);

  let events: Array<{ reason?: string; type?: string; message?: string; involvedObject?: { uid?: string } }> = [];
  await waitFor('the failure events', async () => {
    events = ((await kube.resource(Core.Event).list(NS)).items as typeof events).filter((e) => e.involvedObject?.uid === exe.metadata.uid);
    return events.length >= 4;
  }, { timeoutMs: 20_000 });
  expect(events.map((e) => `${e.type} ${e.reason}`).sort()).toEqual([
    'Warning CommitStatusFailed', 'Warning NotificationFailed', 'Warning NotificationFailed', 'Warning NotificationRefused',
  ]);
  const visible = JSON.stringify([records, events]);
  for (const secret of [ROBOT_TOKEN, DING_SECRET, HOOK_SECRET, SMTP_PASSWORD, 'meta-data']) expect(visible).not.toContain(secret);
});

it('notifies a success only when it changes the outcome of the branch, by default', async () => {
  const previous = { metadata: { namespace: NS, name: 'web-6', uid: 'x' }, spec: { pipelineRef: { name: 'web' }, run: 6, branch: 'main', fork: false, stop: false }, status: { phase: 'Succeeded' } } as PipelineExecution;
  const exe = await finishedExecution('web-10', 'Succeeded', { recipients: [{ recipient: 'ops', notifier: 'hook' }] }, { run: 10 });
  const queue = openQueue('changed', true);
  const before = receiver.at('/hook').length;
  await new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: false }).observe(exe, () => [previous]);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(receiver.at('/hook').length).toBe(before);

  const changed = await finishedExecution('web-11', 'Succeeded', { recipients: [{ recipient: 'ops', notifier: 'hook' }] }, { run: 11 });
  await new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: false }).observe(changed, () => [{ ...previous, status: { phase: 'Failed' } }]);
  await recordsOf('web-11', 1);
  expect(receiver.at('/hook').length).toBe(before + 1);
});

it('reports a running webhook run as running, and drops a running report the run has moved past', async () => {
  const created = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name: 'web-12', namespace: NS },
    spec: { pipelineRef: { name: 'web' }, run: 12, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', fork: false, stop: false, trigger: { event: 'push', deliveryId: 'd-12' }, config: { stages: [] } },
  });
  const running = await kube.resource(Keelson.PipelineExecution).patchStatus(NS, 'web-12', { phase: 'Running' }, created.metadata.resourceVersion);
  const queue = openQueue('running', false); // no worker yet: the run moves on before delivery
  const hook = new ExecutionReportHook({ queue, logger: silentLogger, commitStatus: true });
  await hook.observe(running, () => []);
  const done = await kube.resource(Keelson.PipelineExecution).patchStatus(NS, 'web-12', { phase: 'Succeeded', completionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }, running.metadata.resourceVersion);
  await hook.observe(done, () => []);
  const worker = openQueue('running', true);
  await recordsOf('web-12', 1);
  expect(reporter.reported.map((r) => r.state)).toEqual(['success']);

  const other = await kube.resource(Keelson.PipelineExecution).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution', metadata: { name: 'web-13', namespace: NS },
    spec: { pipelineRef: { name: 'web' }, run: 13, commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', fork: false, stop: false, trigger: { event: 'push', deliveryId: 'd-13' }, config: { stages: [] } },
  });
  const running13 = await kube.resource(Keelson.PipelineExecution).patchStatus(NS, 'web-13', { phase: 'Running' }, other.metadata.resourceVersion);
  await new ExecutionReportHook({ queue: worker, logger: silentLogger, commitStatus: true }).observe(running13, () => []);
  await waitFor('the running status', async () => reporter.reported.length === 2, { timeoutMs: 20_000 });
  expect(reporter.reported[1]).toMatchObject({ execution: `${NS}/web-13`, state: 'running', details: { description: 'Run #13 is running' } });
  // Non-final phases are not recorded on the execution (the write budget, ADR 0007).
  expect((await kube.resource(Keelson.PipelineExecution).get(NS, 'web-13')).status?.notifications).toBeUndefined();
});
