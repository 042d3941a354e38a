import { createLogger } from '@keelson/observability';
import { LocalEnvironment, LocalEndpoints } from './local-environment';
import { imagePushCommands } from './sample-pipeline';

function banner(e: LocalEndpoints): string {
  return [
    '',
    'Keelson is running locally.',
    `  console      ${e.manager}/  (sign in with the TOKEN below; npm run build:console if it says "not built")`,
    `  manager      ${e.manager}  (/api/v1 /healthz /readyz /version /metrics)`,
    `  apiserver    ${e.apiserver}`,
    `  kubeconfig   ${e.kubeconfig}`,
    `               export KUBECONFIG=${e.kubeconfig}; kubectl get nodes,pipelines -A`,
    `  nodes        ${e.nodes.join(', ')} (simulated by KWOK)`,
    `  redis        ${e.redis.replace(/\/\/[^@]*@/, '//')}`,
    `  minio        ${e.minio.endpoint}`,
    `  jenkins      ${e.jenkins} (the Jenkins double; build pods are real pods on the simulated nodes)`,
    `  registry     ${e.registry} (notifies the manager of pushes, as a project's registry does)`,
    `  sample       pipeline ${e.sample.namespace}/${e.sample.pipeline}, repository ${e.sample.repository}`,
    `  state        ${e.stateDir} (logs of every server are there)`,
    '',
    'Run the sample pipeline and watch it:',
    `  export KUBECONFIG=${e.kubeconfig}`,
    `  TOKEN=$(kubectl config view --raw -o jsonpath='{.users[0].user.token}')`,
    `  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '{"branch":"main"}' ${e.manager}/api/v1/namespaces/${e.sample.namespace}/pipelines/${e.sample.pipeline}/run`,
    `  kubectl get pipelineexecutions -n ${e.sample.namespace} -w`,
    '',
    `Or push an image to ${e.sample.image} (a config blob, then a tagged manifest): the registry's notification runs it.`,
    ...imagePushCommands(e.registry, e.sample.image).map((line) => `  ${line}`),
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const logger = createLogger({ name: 'keelson-local', level: process.env.LOG_LEVEL ?? 'warn' });
  const local = new LocalEnvironment(logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping Keelson and its servers...\n`);
    await local.stop();
    process.stderr.write('stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    process.stdout.write(banner(await local.start()));
  } catch (err) {
    process.stderr.write(`local mode failed to start: ${(err as Error).message}\n`);
    await local.stop();
    process.exit(1);
  }
}

void main();
