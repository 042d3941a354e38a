// A Secret a real step prints is masked before its log is stored (issue 16 §1 with issue 12 §2): the step runs in
// its container on the real node, echoes the opted-in token raw, in base64 and through `sh -x`'s own trace, and
// the log read back from the project's MinIO through the manager's API holds `***` and never the token.
import { Core } from '@keelson/kube';
import { waitFor } from '@keelson/servers';
import { KeelsonStack } from '../../support/keelson-stack';

const DEBIAN = 'localhost/keelson/debian:1';
const TOKEN = 'tok-masked-on-real-node-8c2e71';

const PRINTS_SECRET = `
stages:
- name: deploy
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        echo "raw $DEPLOY_TOKEN"
        printf %s "$DEPLOY_TOKEN" | base64
        echo "length $(printf %s "$DEPLOY_TOKEN" | wc -c)"
    envFrom:
    - {sourceName: deploy-token, sourceKey: token, targetKey: DEPLOY_TOKEN}
`;

let stack: KeelsonStack;

beforeAll(async () => {
  stack = await KeelsonStack.start({ realNode: true, minio: true, files: { '.devops.yml': PRINTS_SECRET } });
  await stack.createPipeline('masked');
  await stack.kube.resource(Core.Secret).create({
    metadata: { name: 'deploy-token', namespace: 'demo', labels: { 'keelson.dev/build-secret': 'true' } }, stringData: { token: TOKEN },
  });
}, 240_000);
afterAll(() => stack?.stop(), 120_000);

it('stores the log of a real step with the Secret it printed masked in every form', async () => {
  const res = await stack.api('/api/v1/namespaces/demo/pipelines/masked/run', { branch: 'main' });
  expect(res.status).toBe(201);
  const name = res.body.metadata.name as string;
  expect((await stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted'], 120_000)).status?.phase).toBe('Succeeded');
  await waitFor('the log to be sealed', async () => (await stack.execution(name)).status?.log?.state === 'Complete', { timeoutMs: 60_000 });

  const answer = await fetch(`${stack.manager.url}/api/v1/namespaces/demo/pipelineexecutions/${name}/logs?stage=0&step=0`, {
    headers: { authorization: `Bearer ${stack.adminToken}` },
  });
  expect(answer.status).toBe(200);
  const log = await answer.text();
  // The step really ran: the length is computed in the container from the real value.
  expect(log).toContain(`length ${TOKEN.length}`);
  expect(log).toContain('raw ***');
  expect(log).not.toContain(TOKEN);
  expect(log).not.toContain(Buffer.from(TOKEN).toString('base64').slice(0, 24));
  expect(JSON.stringify(await stack.execution(name))).not.toContain(TOKEN);
}, 240_000);
