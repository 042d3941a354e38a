import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { kubectl } from './kubectl';
import { ManagedProcess } from './managed-process';
import { keelsonHome, repoRoot, serverBinary } from './paths';
import { containerdConfig, cniConflist, kubeletConfig, realNodePaths, type RealNodePaths } from './real-node.config';
import {
  isDirectory, kill, kubepodsCgroups, mountsUnder, podProcesses, processesMentioning, recordHost, removePodCgroups,
  restoreHost, startTime, unmountUnder, type HostRecord,
} from './real-node.host';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** Label every real node carries (`true`), for a nodeSelector. */
export const REAL_NODE_LABEL = 'keelson.dev/real-node';
/**
 * The node's name and address. kubelet refuses a loopback --node-ip but takes a host name that parses as an IP
 * as its InternalIP, so the apiserver reaches it on loopback. One name, so one real node per machine at a time.
 */
export const REAL_NODE_NAME = '127.0.0.1';
/** The images built by scripts/build-real-node.sh, as `localhost/keelson/<name>:1`. */
export const REAL_NODE_IMAGES = ['pause', 'busybox', 'agent', 'debian'] as const;

export function realNodeImage(name: (typeof REAL_NODE_IMAGES)[number]): string {
  return `localhost/keelson/${name}:1`;
}

export interface RealNodeOptions {
  /** Kubeconfig the kubelet registers with (the harness's admin). */
  kubeconfig: string;
  labels?: Record<string, string>;
  /** Directory for everything of the node; a temporary one when absent. Removed on stop either way. */
  dir?: string;
}

/** Measured while starting, in milliseconds. */
export interface RealNodeTimings {
  containerd: number;
  images: number;
  /** kubelet start to the node Ready and schedulable. */
  ready: number;
}

/** What must not outlive a node. Empty lists after stop(). */
export interface RealNodeLeftovers {
  /** kubelet, containerd, shims and container processes. */
  processes: number[];
  mounts: string[];
  cgroups: string[];
}

interface LockRecord {
  pid: number;
  startTime?: string;
  dir: string;
}

const LOCK = join(tmpdir(), 'keelson-real-node.json');
const HOST_RECORD = 'host-record.json';

/**
 * One real Kubernetes node on this machine: Debian's containerd and runc, and a kubelet v1.34.4 built like the
 * control plane, registered as node `127.0.0.1` with the images built locally imported (nothing is pulled).
 * Pods get an isolated network (they reach nothing but themselves; `hostNetwork: true` reaches loopback).
 * stop() leaves no process, mount, cgroup or container behind, and puts back the sysctls kubelet changed; a node
 * whose test process died is cleaned up by the next start. Needs root. Recipe: ../shared/reference/real-node.md.
 */
export class RealNode {
  readonly name = REAL_NODE_NAME;
  private containerd?: ManagedProcess;
  private kubelet?: ManagedProcess;
  private host?: HostRecord;
  private stopped = false;

  private constructor(
    private readonly paths: RealNodePaths,
    private readonly opts: RealNodeOptions,
    readonly timings: RealNodeTimings = { containerd: 0, images: 0, ready: 0 },
  ) {}

  static async start(opts: RealNodeOptions): Promise<RealNode> {
    const binaries = requirements();
    await reclaimStaleNode();
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'keelson-node-'));
    mkdirSync(dir, { recursive: true });
    takeLock(dir);
    const node = new RealNode(realNodePaths(dir), opts);
    try {
      await node.boot(binaries);
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  }

  get dir(): string {
    return this.paths.dir;
  }

  get labels(): Record<string, string> {
    return { [REAL_NODE_LABEL]: 'true', ...this.opts.labels };
  }

  private async boot(bin: Binaries): Promise<void> {
    const p = this.paths;
    for (const d of [p.cniBin, p.cniConf, p.kubeletRoot, p.podLogs, p.logs, join(p.dir, 'containerd'), join(p.dir, 'volume-plugins')]) mkdirSync(d, { recursive: true });
    this.host = recordHost();
    writeFileSync(join(p.dir, HOST_RECORD), JSON.stringify(this.host));
    writeFileSync(p.containerdConfig, containerdConfig(p, bin.runc));
    symlinkSync(join(repoRoot(), 'libs', 'servers', 'real-node', 'isolated-cni.sh'), join(p.cniBin, 'isolated'));
    for (const plugin of ['host-local', 'loopback']) symlinkSync(join(bin.cniPlugins, plugin), join(p.cniBin, plugin));
    writeFileSync(join(p.cniConf, '10-isolated.conflist'), cniConflist(p));

    let t0 = Date.now();
    this.containerd = new ManagedProcess({ name: 'containerd', command: bin.containerd, args: ['--config', p.containerdConfig], logDir: p.logs }).start();
    await waitFor('containerd to answer', async () => {
      if (!this.containerd!.alive) throw new Error('containerd exited');
      await this.ctr(['version']);
      return true;
    }, { timeoutMs: 30_000, intervalMs: 50, onTimeout: () => this.containerd!.tail() });
    this.timings.containerd = Date.now() - t0;

    t0 = Date.now();
    const images = join(keelsonHome(), 'real-node', 'images');
    await Promise.all(REAL_NODE_IMAGES.map((name) => this.ctr(['images', 'import', join(images, `${name}.tar`)])));
    this.timings.images = Date.now() - t0;

    const [port, healthzPort] = [await freePort(), await freePort()];
    writeFileSync(p.kubeletConfig, kubeletConfig(p, { port, healthzPort }));
    t0 = Date.now();
    this.kubelet = new ManagedProcess({
      name: 'kubelet', command: serverBinary('kubelet'), logDir: p.logs,
      args: ['--config', p.kubeletConfig, '--kubeconfig', this.opts.kubeconfig, '--root-dir', p.kubeletRoot,
        '--cert-dir', join(p.kubeletRoot, 'pki'), '--hostname-override', this.name,
        '--node-labels', Object.entries(this.labels).map(([k, v]) => `${k}=${v}`).join(','), '--v', '2'],
    }).start();
    await waitFor(`node ${this.name} Ready and schedulable`, async () => {
      if (!this.kubelet!.alive) throw new Error('kubelet exited');
      const node = JSON.parse(await kubectl(this.opts.kubeconfig, ['get', 'node', this.name, '-o', 'json'])) as NodeObject;
      const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return !!ready && !(node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
    }, { timeoutMs: 60_000, intervalMs: 100, onTimeout: () => this.kubelet!.tail(30) });
    this.timings.ready = Date.now() - t0;
  }

  /** ctr against this node's containerd, in the namespace CRI uses. */
  async ctr(args: string[]): Promise<string> {
    const { stdout } = await run('ctr', ['--address', this.paths.socket, '--namespace', 'k8s.io', ...args], { maxBuffer: 16 << 20, timeout: 60_000 });
    return stdout;
  }

  /** Ids of the containers containerd runs (pause sandboxes included). */
  async runningContainers(): Promise<string[]> {
    return (await this.ctr(['tasks', 'ls', '-q'])).split('\n').filter(Boolean);
  }

  /** What is left of the node on the host; empty once stopped. */
  leftovers(): RealNodeLeftovers {
    return {
      processes: [...new Set([...processesMentioning(this.paths.dir), ...podProcesses()])],
      mounts: mountsUnder(this.paths.dir),
      cgroups: kubepodsCgroups(),
    };
  }

  /**
   * Pods on the node end through the API (kubelet stops them), then kubelet, what containers remain, containerd
   * and its shims; mounts, cgroups, sysctls and hard-coded directories are put back. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const kubeconfig = this.opts.kubeconfig;
    if (this.kubelet?.alive) {
      await kubectl(kubeconfig, ['delete', 'pods', '--all-namespaces', '--field-selector', `spec.nodeName=${this.name}`,
        '--grace-period=1', '--wait=true', '--timeout=30s', '--request-timeout=5s']).catch(() => undefined);
    }
    await kubectl(kubeconfig, ['delete', 'node', this.name, '--wait=false', '--ignore-not-found', '--request-timeout=5s']).catch(() => undefined);
    await this.kubelet?.stop();
    if (this.containerd?.alive) {
      const tasks = await this.runningContainers().catch(() => [] as string[]);
      await Promise.all(tasks.map((id) => this.ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => undefined)));
      await Promise.all(tasks.map((id) => this.ctr(['tasks', 'delete', '--force', id]).catch(() => undefined)));
      const containers = (await this.ctr(['containers', 'ls', '-q']).catch(() => '')).split('\n').filter(Boolean);
      await Promise.all(containers.map((id) => this.ctr(['containers', 'delete', id]).catch(() => undefined)));
    }
    await this.containerd?.stop();
    await cleanUp(this.paths.dir, this.host);
  }
}

interface NodeObject {
  spec?: { taints?: Array<{ key: string; effect: string }> };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

interface Binaries {
  containerd: string;
  runc: string;
  cniPlugins: string;
}

function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** Root, Debian's containerd and runc, the CNI plugins, the kubelet and the images; else the command that makes them. */
function requirements(): Binaries {
  const setup = 'run "bash scripts/setup.sh --test-servers" to install and build it';
  if (process.getuid?.() !== 0) throw new Error('a real node needs root (it runs containerd and kubelet)');
  const found = (name: string) => {
    const path = which(name);
    if (!path) throw new Error(`${name} not found: ${setup}`);
    return path;
  };
  const binaries = { containerd: found('containerd'), runc: found('runc'), cniPlugins: '/usr/lib/cni' };
  found('ctr');
  if (!existsSync(join(binaries.cniPlugins, 'host-local'))) throw new Error(`CNI plugins not found in ${binaries.cniPlugins}: ${setup}`);
  serverBinary('kubelet');
  for (const image of REAL_NODE_IMAGES) {
    const tar = join(keelsonHome(), 'real-node', 'images', `${image}.tar`);
    if (!existsSync(tar)) throw new Error(`image ${tar} not found: ${setup}`);
  }
  return binaries;
}

function readLock(): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(LOCK, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

function takeLock(dir: string): void {
  const record: LockRecord = { pid: process.pid, startTime: startTime(process.pid), dir };
  try {
    writeFileSync(LOCK, JSON.stringify(record), { flag: 'wx' });
  } catch {
    const holder = readLock();
    throw new Error(`a real node is already running on this machine (process ${holder?.pid}, ${holder?.dir}): one at a time`);
  }
}

/** Before a start: a node whose test process died is cleaned up; one still in use is an error. */
async function reclaimStaleNode(): Promise<void> {
  const lock = readLock();
  if (lock && ownerAlive(lock)) {
    throw new Error(`a real node is already running on this machine (process ${lock.pid}, ${lock.dir}): one at a time`);
  }
  await reclaimAbandonedRealNode();
}

function ownerAlive(lock: LockRecord): boolean {
  return startTime(lock.pid) !== undefined && startTime(lock.pid) === lock.startTime;
}

/**
 * A node whose test process died without stopping it (a crashed jest worker): its processes, containers, mounts
 * and cgroups go, the sysctls come back. For the jest global teardown, and the next start. The node's directory,
 * or undefined when there was nothing to clean up.
 */
export async function reclaimAbandonedRealNode(): Promise<string | undefined> {
  const lock = readLock();
  if (!lock || ownerAlive(lock)) return undefined;
  let host: HostRecord | undefined;
  try {
    host = JSON.parse(readFileSync(join(lock.dir, HOST_RECORD), 'utf8')) as HostRecord;
  } catch {
    // it died before recording the host
  }
  for (const pid of processesMentioning(lock.dir)) kill(pid);
  await cleanUp(lock.dir, host);
  return lock.dir;
}

/** Everything after the processes: pod cgroups, mounts, the host record, the directory and the lock. */
async function cleanUp(dir: string, host: HostRecord | undefined): Promise<void> {
  // Shims are daemons (children of init), found by the socket path in their arguments.
  for (const pid of processesMentioning(dir)) kill(pid);
  await removePodCgroups();
  await unmountUnder(dir);
  if (host) restoreHost(host);
  // Never remove a directory with something still mounted below it: a bind mount would take its source along.
  if (mountsUnder(dir).length === 0 && isDirectory(dir) && !process.env.KEELSON_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  if (readLock()?.dir === dir) rmSync(LOCK, { force: true });
}
