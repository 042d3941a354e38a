// A test process that dies holding a real node: starts one against the kubeconfig given, runs a pod on it, says
// READY <dir> and waits to be killed. node.test.ts SIGKILLs it and checks that the next node cleans up after it.
import { kubectl, RealNode, realNodeImage } from '@keelson/servers';

async function main(): Promise<void> {
  const kubeconfig = process.argv[2];
  const node = await RealNode.start({ kubeconfig });
  await kubectl(kubeconfig, ['run', 'abandoned', '--image', realNodeImage('busybox'), '--restart=Never', '--command', '--', 'sleep', '3600']);
  await kubectl(kubeconfig, ['wait', '--for=condition=Ready', 'pod/abandoned', '--timeout=60s']);
  process.stdout.write(`READY ${node.dir}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
