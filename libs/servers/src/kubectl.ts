import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serverBinary } from './paths';

const run = promisify(execFile);

/** Runs the built kubectl against a kubeconfig; the harness uses it to apply manifests as an operator would. */
export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const child = run(serverBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  const { stdout } = await child;
  return stdout;
}
