// A command in a container of a running pod, through the pod exec API over a WebSocket: the way kubectl and the
// Jenkins Kubernetes plugin (fabric8) run build steps. Channels: 0 stdin, 1 stdout, 2 stderr, 3 the final status;
// only `v5.channel.k8s.io` can close stdin without closing the whole connection, so stdin needs it.
import { PassThrough, Writable } from 'node:stream';
import { Exec, KubeConfig, V1Status } from '@kubernetes/client-node';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import { KubeError } from './kube-errors';

export interface PodExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** The command and its arguments, run without a shell unless it is one. */
  command: string[];
  /** Sent on stdin, which is then closed. */
  stdin?: Buffer | string;
  /** Output as it arrives. */
  onOutput?(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Aborting closes the connection; the process in the container may live on. */
  signal?: AbortSignal;
}

export interface PodExecResult {
  /** The command's exit code (128 + N when signal N ended it). */
  exitCode: number;
  /** The subprotocol the server chose. */
  protocol: string;
}

const STDIN_PROTOCOL = 'v5.channel.k8s.io';

export async function podExec(config: KubeConfig, req: PodExecRequest): Promise<PodExecResult> {
  // The handler ends the streams it is given when the server closes them; never the process's own.
  const handler = new WebSocketHandler(config, undefined, { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() });
  const sink = (stream: 'stdout' | 'stderr') => new Writable({
    write(chunk: Buffer, _encoding, done) {
      req.onOutput?.(stream, chunk);
      done();
    },
  });
  const stdin = req.stdin === undefined ? null : new PassThrough();
  let status: V1Status | undefined;
  const where = `exec in ${req.namespace}/${req.pod} container ${req.container}`;
  let ws: Awaited<ReturnType<Exec['exec']>>;
  try {
    ws = await new Exec(config, handler).exec(req.namespace, req.pod, req.container, req.command, sink('stdout'), sink('stderr'), stdin, false, (s) => {
      status = s;
    });
  } catch (err) {
    // The upgrade was refused: ws says `Unexpected server response: <status>`.
    const message = (err as { message?: string }).message ?? String(err);
    const code = Number(/response: (\d{3})/.exec(message)?.[1] ?? 0);
    throw new KubeError(code, code === 404 ? 'NotFound' : code ? 'BadRequest' : 'Unreachable', `${where}: ${message}`);
  }
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  const abort = () => ws.close();
  req.signal?.addEventListener('abort', abort, { once: true });
  try {
    if (stdin) {
      if (ws.protocol !== STDIN_PROTOCOL) {
        ws.close();
        throw new KubeError(0, 'BadRequest', `${where}: the server speaks ${ws.protocol || 'no subprotocol'}, which cannot close stdin; ${STDIN_PROTOCOL} is needed`);
      }
      stdin.end(req.stdin);
    }
    await closed;
  } finally {
    req.signal?.removeEventListener('abort', abort);
  }
  if (req.signal?.aborted) throw new KubeError(0, 'Aborted', `${where}: aborted`);
  return { exitCode: exitCodeOf(status, where), protocol: ws.protocol };
}

/** Success is 0; NonZeroExitCode carries the code as the ExitCode cause; anything else failed to run at all. */
function exitCodeOf(status: V1Status | undefined, where: string): number {
  if (!status) throw new KubeError(0, 'Unreachable', `${where}: the connection closed before the command ended`);
  if (status.status === 'Success') return 0;
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && code !== undefined && /^\d+$/.test(code)) return Number(code);
  throw new KubeError(500, status.reason ?? 'InternalError', `${where}: ${status.message ?? 'failed'}`);
}
