// The harness's real node beside KWOK nodes: a pod that asks for it by nodeSelector runs real containers there
// (exec over the WebSocket protocol the Jenkins Kubernetes plugin speaks, exit codes, stdin, Secrets in the
// environment), and stopping the node leaves nothing behind on the host.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core, KubeClient, type Pod } from '@keelson/kube';
import {
  Cluster, OWNER_ENV, REAL_NODE_LABEL, REAL_NODE_NAME, RealNode, realNodeImage, reapProcessesOwnedBy, repoRoot, waitFor,
} from '@keelson/servers';

let cluster: Cluster;
let node: RealNode;
let kube: KubeClient;
const sysctlsBefore = readSysctls();

beforeAll(async () => {
  cluster = await Cluster.start({ nodes: 2, crds: false });
  node = await cluster.addRealNode();
  kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  process.stdout.write(`real node: containerd ${node.timings.containerd} ms, images ${node.timings.images} ms, kubelet to Ready ${node.timings.ready} ms\n`);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

function readSysctls(): string {
  return ['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops'].map((k) => readFileSync(`/proc/sys/${k}`, 'utf8').trim()).join(' ');
}

function sleeper(name: string, spec: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: realNodeImage('busybox'), command: ['sleep', '3600'],
        env: [{ name: 'GREETING', valueFrom: { secretKeyRef: { name: 'greeting', key: 'value' } } }] }],
      ...spec,
    },
  } as Pod;
}

async function running(name: string): Promise<Pod> {
  let pod: Pod | undefined;
  await waitFor(`pod ${name} Running`, async () => {
    pod = await kube.resource(Core.Pod).get('default', name);
    return pod.status?.phase === 'Running';
  }, { timeoutMs: 60_000, onTimeout: () => JSON.stringify(pod?.status) });
  return pod!;
}

describe('the real node', () => {
  it('registers beside the KWOK nodes, labelled, Ready', async () => {
    const nodes = (await kube.resource(Core.Node).list()).items;
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual([REAL_NODE_NAME, 'kwok-node-0', 'kwok-node-1']);
    const real = nodes.find((n) => n.metadata.name === REAL_NODE_NAME)!;
    expect(real.metadata.labels).toMatchObject({ [REAL_NODE_LABEL]: 'true', type: 'real' });
    expect(real.metadata.annotations?.['kwok.x-k8s.io/node']).toBeUndefined();
  });

  it('runs a pod that chooses it by nodeSelector, and execs in it with exit codes, stdin and the Secret env', async () => {
    await kube.resource(Core.Secret).create({ metadata: { name: 'greeting', namespace: 'default' }, stringData: { value: 'hello-from-secret' } });
    const t0 = Date.now();
    await kube.resource(Core.Pod).create(sleeper('picky', { nodeSelector: { [REAL_NODE_LABEL]: 'true' } }));
    const pod = await running('picky');
    process.stdout.write(`pod create to Running on the real node: ${Date.now() - t0} ms\n`);
    expect(pod.spec.nodeName).toBe(REAL_NODE_NAME);
    expect(await node.runningContainers()).toHaveLength(2); // the pause sandbox and main

    let out = '';
    const exec = (command: string[], stdin?: string) => {
      out = '';
      return kube.exec({ namespace: 'default', pod: 'picky', container: 'main', command, stdin, onOutput: (_s, c) => (out += c.toString()) });
    };
    const t1 = Date.now();
    expect(await exec(['sh', '-c', 'echo "GREETING=$GREETING"; echo to-stderr >&2; exit 3'])).toEqual({ exitCode: 3, protocol: 'v5.channel.k8s.io' });
    process.stdout.write(`one exec round trip: ${Date.now() - t1} ms\n`);
    expect(out).toContain('GREETING=hello-from-secret\n');
    expect(out).toContain('to-stderr\n');
    expect((await exec(['sh', '-c', 'cat > /tmp/in && wc -c < /tmp/in'], 'twelve bytes')).exitCode).toBe(0);
    expect(out.trim()).toBe('12');
    await expect(exec(['no-such-command'])).rejects.toThrow(/no-such-command|not found|executable/);
  });

  it('leaves pods without a nodeSelector to the scheduler, which may choose any node', async () => {
    await kube.resource(Core.Pod).create(sleeper('anywhere', { nodeSelector: { type: 'kwok' } }));
    const pod = await running('anywhere');
    expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
  });

  it('stops, leaving no process, mount, cgroup or container behind, and the sysctls as they were', async () => {
    const dir = node.dir;
    await node.stop();
    expect(node.leftovers()).toEqual({ processes: [], mounts: [], cgroups: [] });
    expect(readSysctls()).toBe(sysctlsBefore);
    expect(() => readFileSync(`${dir}/containerd/config.toml`)).toThrow();
    expect((await kube.resource(Core.Node).list()).items.map((n) => n.metadata.name)).not.toContain(REAL_NODE_NAME);
  });

  it('is cleaned up by the next start when the test process holding it died', async () => {
    const owner = `abandoned-${process.pid}`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'abandoned-node.fixture.ts'), cluster.adminKubeconfig], {
      cwd: repoRoot(), env: { ...process.env, [OWNER_ENV]: owner }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const dir = await new Promise<string>((resolve, reject) => {
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (c: Buffer) => {
        output += c.toString();
        const ready = /READY (\S+)/.exec(output);
        if (ready) resolve(ready[1]);
      });
      child.once('exit', (code) => reject(new Error(`the abandoning process exited (${code}): ${output}`)));
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    // What jest's global teardown does after a crashed worker: kill every server it started (kubelet, containerd, shims).
    reapProcessesOwnedBy(owner);
    const mounts = () => readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(`${dir}/`));
    expect(mounts().length).toBeGreaterThan(0);
    expect(readSysctls()).not.toBe(sysctlsBefore);

    const next = await RealNode.start({ kubeconfig: cluster.adminKubeconfig });
    expect(existsSync(dir)).toBe(false);
    expect(mounts()).toEqual([]);
    await next.stop();
    expect(next.leftovers()).toEqual({ processes: [], mounts: [], cgroups: [] });
    expect(readSysctls()).toBe(sysctlsBefore);
  }, 120_000);
});
