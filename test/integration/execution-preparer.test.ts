// The preparer against a real apiserver: a pipeline whose credentials are missing is refused with a message that
// names what is missing (the run API answers 422 with it), before git is ever asked.
import { Core, Keelson, KubeClient } from '@keelson/kube';
import type { ConfigSource } from '@keelson/git-source';
import { ControlPlane } from '@keelson/servers';
import { ExecutionPreparer } from '../../apps/manager/src/executions/execution-preparer';
import { ExecutionError } from '../../apps/manager/src/executions/execution.errors';

let cp: ControlPlane;
let kube: KubeClient;
const asked: string[] = [];
const source: ConfigSource = {
  resolveCommit: async (url) => {
    asked.push(url);
    return 'a'.repeat(40);
  },
  readFile: async () => 'stages: []\n',
};

beforeAll(async () => {
  cp = await ControlPlane.start();
  kube = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: 'demo' } });
}, 120_000);
afterAll(() => cp?.stop());

async function pipelineWith(name: string, credential: string) {
  return kube.resource(Keelson.Pipeline).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { namespace: 'demo', name },
    spec: { repositoryUrl: `https://git.example.com/demo/${name}.git`, credentialRef: { name: credential } } as never,
  });
}

async function refusal(pipeline: Awaited<ReturnType<typeof pipelineWith>>): Promise<ExecutionError> {
  const err = await new ExecutionPreparer(kube, source).prepare(pipeline, { branch: 'main' }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ExecutionError);
  return err as ExecutionError;
}

it('refuses a pipeline whose SourceCodeCredential is missing, naming it', async () => {
  const err = await refusal(await pipelineWith('no-credential', 'gone'));
  expect(err).toMatchObject({ code: 'RepositoryAccessDenied', message: 'pipeline demo/no-credential: SourceCodeCredential gone (spec.credentialRef) not found' });
  expect(asked).toEqual([]);
});

it('refuses a pipeline whose credential points at a missing Secret or key, naming it', async () => {
  await kube.resource(Keelson.SourceCodeCredential).create({
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential', metadata: { namespace: 'demo', name: 'alice' },
    spec: { providerRef: { name: 'github' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'alice-token' } } as never,
  });
  const pipeline = await pipelineWith('no-secret', 'alice');
  expect((await refusal(pipeline)).message).toBe('pipeline demo/no-secret: Secret alice-token of SourceCodeCredential alice not found');
  await kube.resource(Core.Secret).create({ metadata: { namespace: 'demo', name: 'alice-token' }, stringData: { other: 'x' } } as never);
  expect((await refusal(pipeline)).message).toBe('pipeline demo/no-secret: Secret alice-token has no key accessToken');
  expect(asked).toEqual([]);
});
