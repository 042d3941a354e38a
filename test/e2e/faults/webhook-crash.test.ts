// The manager is SIGKILLed the moment the execution a webhook delivery made exists (the create has reached the
// apiserver; the answer to the provider may or may not have left): the provider's retry, to a restarted
// manager, finds that execution instead of making a second, under the same delivery id or a new one.
// (test/integration/webhooks.test.ts covers the exact state "created, never answered" deterministically.)
import { createHmac } from 'node:crypto';
import { Core, Keelson } from '@keelson/kube';
import { waitFor } from '@keelson/servers';
import { FaultRig } from '../../support/fault-rig';

let rig: FaultRig;
let secret = '';

beforeAll(async () => {
  rig = await FaultRig.start('webhook-crash');
  await rig.stack.createPipeline('hooked', 'demo', { repositoryUrl: 'https://github.com/acme/widget.git' });
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function delivery(sha: string, id: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    ref: 'refs/heads/main', after: sha, repository: { id: 1, full_name: 'acme/widget', clone_url: 'https://github.com/acme/widget.git' },
    head_commit: { id: sha, message: 'crash test' },
  });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
  };
}

it('makes one execution when the manager dies as it creates it and the provider retries', async () => {
  const first = await rig.startManager('manager-1');
  await waitFor('the webhook Secret', async () => {
    const stored = (await rig.stack.kube.resource(Core.Secret).find('demo', 'keelson-webhook-hooked')) as { data?: Record<string, string> } | undefined;
    secret = stored?.data?.secret ? Buffer.from(stored.data.secret, 'base64').toString('utf8') : '';
    return secret !== '';
  }, { timeoutMs: 60_000 });
  const sha = 'c'.repeat(40);
  const { body, headers } = delivery(sha, 'crash-delivery-1');
  const executions = async () => (await rig.stack.kube.resource(Keelson.PipelineExecution).list('demo')).items.filter((e) => e.spec.commit === sha);

  // Killed as soon as the execution is visible, while the delivery is in flight.
  const sent = fetch(`${first.url}/hooks/pipelines/demo/hooked`, { method: 'POST', body, headers }).then((r) => r.status, () => 'no answer');
  await waitFor('the execution', async () => (await executions()).length > 0, { timeoutMs: 30_000, intervalMs: 5 });
  await first.kill('SIGKILL');
  const firstAnswer = await sent;
  process.stdout.write(`[webhook-crash] the first delivery got: ${firstAnswer}\n`);

  const second = await rig.startManager('manager-2');
  const retry = await fetch(`${second.url}/hooks/pipelines/demo/hooked`, { method: 'POST', body, headers });
  expect(retry.status).toBe(200);
  expect(await retry.json()).toMatchObject({ outcome: 'duplicate' });
  // The same push under a new delivery id (a provider that redelivers so) finds it too.
  const again = delivery(sha, 'crash-delivery-2');
  const renamed = await fetch(`${second.url}/hooks/pipelines/demo/hooked`, { method: 'POST', body: again.body, headers: again.headers });
  expect(await renamed.json()).toMatchObject({ outcome: 'duplicate' });
  expect(await executions()).toHaveLength(1);
}, 240_000);
