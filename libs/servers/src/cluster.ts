import { join } from 'node:path';
import { ControlPlane, ControlPlaneOptions } from './control-plane';
import { freePort } from './free-port';
import { probe } from './http-probe';
import { ManagedProcess } from './managed-process';
import { repoRoot, serverBinary } from './paths';
import { RealNode } from './real-node';
import { waitFor } from './wait-for';

export interface FakeNode {
  name: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  pods?: string;
}

export interface ClusterOptions extends ControlPlaneOptions {
  /** Nodes to create: a count (named kwok-node-0..N-1) or explicit nodes. */
  nodes?: number | FakeNode[];
}

/** Annotations the keelson-pod-finish KWOK stage reads to end a Running pod. */
export const POD_FINISH_ANNOTATION = 'kwok.keelson.dev/finish';
export const POD_EXIT_CODE_ANNOTATION = 'kwok.keelson.dev/exit-code';

const STAGE_FILES = ['upstream-stages.yaml', 'keelson-stages.yaml'];

/**
 * A whole cluster without a kubelet: the control plane, the real kube-scheduler and kube-controller-manager,
 * and KWOK simulating the nodes and driving pods through phases (Running when scheduled; Succeeded or Failed
 * when a test annotates them, see keelson-stages.yaml).
 */
export class Cluster {
  private readonly extra: ManagedProcess[] = [];
  private real?: RealNode;

  private constructor(readonly controlPlane: ControlPlane) {}

  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    const cluster = new Cluster(await ControlPlane.start(opts));
    try {
      await cluster.boot(opts.nodes ?? 3);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get adminKubeconfig(): string {
    return this.controlPlane.adminKubeconfig;
  }

  get managerKubeconfig(): string {
    return this.controlPlane.managerKubeconfig;
  }

  kubectl(args: string[], input?: string): Promise<string> {
    return this.controlPlane.kubectl(args, input);
  }

  private async boot(nodes: number | FakeNode[]): Promise<void> {
    const cp = this.controlPlane;
    const kubeconfig = cp.adminKubeconfig;
    const delegated = ['--authentication-kubeconfig', kubeconfig, '--authorization-kubeconfig', kubeconfig];
    const [schedulerPort, managerPort, kwokPort] = [await freePort(), await freePort(), await freePort()];
    const scheduler = this.spawn('kube-scheduler', ['--kubeconfig', kubeconfig, ...delegated, '--leader-elect=false',
      '--bind-address', '127.0.0.1', '--secure-port', String(schedulerPort), '--v', '1']);
    const manager = this.spawn('kube-controller-manager', ['--kubeconfig', kubeconfig, ...delegated, '--leader-elect=false',
      '--bind-address', '127.0.0.1', '--secure-port', String(managerPort),
      '--service-account-private-key-file', cp.certs.serviceAccountKeyFile, '--root-ca-file', cp.certs.caFile,
      '--use-service-account-credentials=false', '--controllers', '*,-nodeipam', '--v', '1']);
    const stageDir = join(repoRoot(), 'libs', 'servers', 'kwok');
    const kwok = this.spawn('kwok', ['--kubeconfig', kubeconfig, ...STAGE_FILES.flatMap((f) => ['--config', join(stageDir, f)]),
      '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector=', '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
      '--disregard-status-with-label-selector=', '--server-address', `127.0.0.1:${kwokPort}`,
      '--node-ip', '10.0.0.1', '--cidr', '10.0.0.1/16']);

    const healthy = (proc: ManagedProcess, url: string, what: string) => waitFor(what, async () => {
      if (!proc.alive) throw new Error(`${proc.spec.name} exited`);
      return (await probe(url, { selfSigned: true })) === 200;
    }, { timeoutMs: 60_000, onTimeout: () => proc.tail() });
    await Promise.all([
      healthy(scheduler, `https://127.0.0.1:${schedulerPort}/healthz`, 'kube-scheduler /healthz'),
      healthy(manager, `https://127.0.0.1:${managerPort}/healthz`, 'kube-controller-manager /healthz'),
      healthy(kwok, `http://127.0.0.1:${kwokPort}/healthz`, 'kwok /healthz'),
    ]);
    await this.addNodes(typeof nodes === 'number' ? Array.from({ length: nodes }, (_, i) => ({ name: `kwok-node-${i}` })) : nodes);
  }

  /**
   * Adds the machine's real node (a kubelet on containerd, see real-node.ts) beside the KWOK nodes, labelled
   * `keelson.dev/real-node=true` plus `labels`; it stops with the cluster, or earlier through its own stop().
   */
  async addRealNode(labels: Record<string, string> = {}): Promise<RealNode> {
    if (this.real) throw new Error('this cluster has a real node already');
    this.real = await RealNode.start({ kubeconfig: this.adminKubeconfig, labels: { type: 'real', ...labels } });
    return this.real;
  }

  get realNode(): RealNode | undefined {
    return this.real;
  }

  /** Creates fake nodes and waits until KWOK reports them Ready. */
  async addNodes(nodes: FakeNode[]): Promise<void> {
    if (nodes.length === 0) return;
    const docs = nodes.map((n) => JSON.stringify({
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: n.name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', ...n.labels },
      },
      status: {
        capacity: { cpu: n.cpu ?? '4', memory: n.memory ?? '16Gi', pods: n.pods ?? '110' },
        allocatable: { cpu: n.cpu ?? '4', memory: n.memory ?? '16Gi', pods: n.pods ?? '110' },
      },
    }));
    await this.kubectl(['apply', '-f', '-'], docs.join('\n'));
    await this.kubectl(['wait', '--for', 'condition=Ready', '--timeout', '60s', ...nodes.map((n) => `node/${n.name}`)]);
  }

  private spawn(name: string, args: string[]): ManagedProcess {
    const proc = new ManagedProcess({ name, command: serverBinary(name), args, logDir: this.controlPlane.dir }).start();
    this.extra.push(proc);
    return proc;
  }

  async stop(): Promise<void> {
    // First, while the apiserver can still tell the kubelet to stop its pods.
    await this.real?.stop();
    await Promise.all(this.extra.map((p) => p.stop()));
    await this.controlPlane.stop();
  }
}
