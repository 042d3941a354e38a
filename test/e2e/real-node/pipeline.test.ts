// Pipelines whose steps really run: the whole of Keelson with the machine's real node as the only node, so every
// build pod runs its containers and the Jenkins double executes each step's script in its container through the
// pod exec API (the way the Jenkins Kubernetes plugin does). What only pod specs showed on KWOK is proven here:
// images, exit codes, the cache volume, Secrets in the environment, a timeout and a stop that kill real processes,
// and parallel steps that run at the same time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Core } from '@keelson/kube';
import { waitFor, type RealNode } from '@keelson/servers';
import { KeelsonStack } from '../../support/keelson-stack';

const DEBIAN = 'localhost/keelson/debian:1';
const BUSYBOX = 'localhost/keelson/busybox:1';
const TOKEN = 'tok-real-node-5f1c9a';

const FAILS = `
stages:
- name: build
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        grep PRETTY_NAME /etc/os-release
        echo "uid $(id -u) in $(pwd)"
        exit 3
`;

const CACHED = `
stages:
- name: build
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        if [ -f deps/marker ]; then echo "cache hit: $(cat deps/marker)"; else echo "cache miss"; fi
        echo "$CICD_EXECUTION_ID" > deps/marker
    cache:
      paths: [deps]
`;

const SECRET = `
stages:
- name: deploy
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        echo "token of $(printf %s "$DEPLOY_TOKEN" | wc -c) characters, sha256 $(printf %s "$DEPLOY_TOKEN" | sha256sum | cut -c1-64)"
    envFrom:
    - {sourceName: deploy-token, sourceKey: token, targetKey: DEPLOY_TOKEN}
`;

// The first step beats a heartbeat until its one-minute timeout kills it; its sibling, in another container of the
// same pod, watches the heartbeat on the shared workspace and succeeds only if it stops while the pod still runs.
const TIMED_OUT = `
stages:
- name: watch
  steps:
  - runScriptConfig:
      image: ${BUSYBOX}
      shellScript: |
        i=0
        while :; do i=$((i+1)); echo $i > beat; mv beat heartbeat; sleep 1; done
    timeout: 1
  - runScriptConfig:
      image: ${BUSYBOX}
      shellScript: |
        i=0; until [ -s heartbeat ]; do i=$((i+1)); [ $i -lt 90 ] || exit 1; sleep 1; done
        first=$(cat heartbeat); sleep 3
        [ "$(cat heartbeat)" != "$first" ] || exit 1
        echo "heartbeat alive"
        waited=0
        while :; do
          a=$(cat heartbeat); sleep 3; b=$(cat heartbeat)
          [ "$a" != "$b" ] || break
          waited=$((waited+3)); [ $waited -lt 150 ] || exit 1
        done
        echo "heartbeat stopped at $b"
`;

const SLEEPS = `
stages:
- name: wait
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        echo "about to sleep"
        sleep 300
        echo "woke up"
`;

// Each branch waits for the other's file on the shared workspace: run one after the other, both would time out.
const TOGETHER = `
stages:
- name: together
  steps:
  - runScriptConfig:
      image: ${DEBIAN}
      shellScript: |
        touch left.here
        i=0; until [ -e right.here ]; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done
        echo "left met right"
  - runScriptConfig:
      image: ${BUSYBOX}
      shellScript: |
        touch right.here
        i=0; until [ -e left.here ]; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done
        echo "right met left"
`;

let stack: KeelsonStack;
let node: RealNode;
let timedOut: string;
const started = Date.now();

async function branch(name: string, devopsYml: string): Promise<void> {
  await stack.repo.branch(name, 'main');
  await stack.repo.checkout(name);
  await stack.repo.commit({ '.devops.yml': devopsYml }, name);
  await stack.repo.checkout('main');
}

async function run(branchName: string): Promise<string> {
  const res = await stack.api('/api/v1/namespaces/demo/pipelines/real/run', { branch: branchName });
  expect(res.status).toBe(201);
  return res.body.metadata.name as string;
}

async function finished(name: string, timeoutMs = 120_000) {
  return stack.waitForPhase(name, ['Succeeded', 'Failed', 'Aborted'], timeoutMs);
}

/** The build's console, as Jenkins holds it once the build is over. */
async function consoleOf(name: string): Promise<string> {
  const build = () => stack.jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === name);
  await waitFor(`the build of ${name} to end in Jenkins`, () => build()?.building === false, { timeoutMs: 30_000 });
  return stack.jenkins.consoleText('demo-pipeline', build()!.job, build()!.number) ?? '';
}

function podStartMs(name: string): number | undefined {
  return stack.jenkins.builds('demo-pipeline').find((b) => b.params.EXECUTION_ID === name)?.pod?.startMs;
}

/** Host pids of a command line that runs in the build pod of `execution` (its containers carry CICD_EXECUTION_ID). */
function hostProcesses(execution: string, cmdline: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      return args === cmdline && env.includes(`CICD_EXECUTION_ID=${execution}`) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

/** A zombie is dead too: `cat`, the first process of a step container, never reaps what it inherits. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

beforeAll(async () => {
  stack = await KeelsonStack.start({ realNode: true });
  node = stack.realNode!;
  process.stdout.write(`real node: containerd ${node.timings.containerd} ms, images ${node.timings.images} ms, kubelet to Ready ${node.timings.ready} ms\n`);
  await stack.createSetting({ maxConcurrentExecutions: 4 });
  await stack.createPipeline('real');
  for (const [name, yml] of [['fails', FAILS], ['cached', CACHED], ['secret', SECRET], ['timed-out', TIMED_OUT], ['sleeps', SLEEPS], ['together', TOGETHER]]) {
    await branch(name, yml);
  }
  await stack.kube.resource(Core.Secret).create({
    metadata: { name: 'deploy-token', namespace: 'demo', labels: { 'keelson.dev/build-secret': 'true' } }, stringData: { token: TOKEN },
  });
  // The timeout takes a real minute: it runs while the other tests do.
  timedOut = await run('timed-out');
}, 240_000);

afterAll(async () => {
  const dir = node?.dir;
  await stack?.stop();
  if (node) {
    expect(node.leftovers()).toEqual({ processes: [], mounts: [], cgroups: [] });
    expect(existsSync(dir)).toBe(false);
  }
  process.stdout.write(`real-node pipelines: ${Math.round((Date.now() - started) / 1000)} s in all\n`);
}, 120_000);

describe('a pipeline on the real node', () => {
  it('fails with the exit code of a script that really ran in the step\'s image', async () => {
    const name = await run('fails');
    const done = await finished(name);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.node).toBe(node.name);
    expect(done.status?.stages?.[0]).toMatchObject({ phase: 'Failed', steps: [{ phase: 'Failed' }] });
    const log = await consoleOf(name);
    // Only the Debian image's own file and a real shell can print these.
    expect(log).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"');
    expect(log).toMatch(new RegExp(`uid 0 in /home/jenkins/agent/workspace/${name}\\n`));
    expect(log).toContain('+ exit 3');
    expect(log).toContain('script returned exit code 3');
    process.stdout.write(`build pod create to Running: ${podStartMs(name)} ms\n`);
    // The agent pod goes with its build, as the plugin's default retention has it.
    await waitFor('the build pod deleted', async () => (await stack.kube.resource(Core.Pod).list('demo-builds')).items
      .every((p) => p.metadata.labels?.['keelson.dev/execution'] !== name || p.metadata.deletionTimestamp), { timeoutMs: 20_000 });
  });

  it('keeps the cache on the node: a second run reads what the first one wrote', async () => {
    const first = await run('cached');
    expect((await finished(first)).status?.phase).toBe('Succeeded');
    expect(await consoleOf(first)).toContain('cache miss');
    const second = await run('cached');
    const done = await finished(second);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.node).toBe(node.name);
    expect(await consoleOf(second)).toContain(`cache hit: ${first}`);
    // The cache wrapper ran in the step's container: the only writer of the key, and it saw what the first run left.
    expect(await consoleOf(first)).toContain('keelson-cache: key=default result=miss lock=held');
    expect(await consoleOf(second)).toContain('keelson-cache: key=default result=hit lock=held');
    // On the host, under the operator's cache root: <root>/<project>/<pipeline>/...
    const root = join(node.dir, 'cache', 'demo', 'real');
    const markers = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === 'marker');
    expect(markers.map((m) => readFileSync(join(m.parentPath, m.name), 'utf8'))).toEqual([`${second}\n`]);
  });

  it('gives a step the opted-in Secret in its environment', async () => {
    const name = await run('secret');
    const done = await finished(name);
    expect(done.status?.phase).toBe('Succeeded');
    const sha = createHash('sha256').update(TOKEN).digest('hex');
    expect(await consoleOf(name)).toContain(`token of ${TOKEN.length} characters, sha256 ${sha}`);
    expect(JSON.stringify(done)).not.toContain(TOKEN);
  });

  it('stops a build during a real sleep: the sleep is killed, the run is Aborted', async () => {
    const name = await run('sleeps');
    let sleeping: number[] = [];
    await waitFor('the sleep runs in the build pod', () => (sleeping = hostProcesses(name, 'sleep 300')).length === 1, { timeoutMs: 60_000 });
    const t0 = Date.now();
    expect((await stack.api(`/api/v1/namespaces/demo/pipelineexecutions/${name}/stop`)).status).toBe(200);
    const done = await finished(name, 60_000);
    process.stdout.write(`stop to Aborted: ${Date.now() - t0} ms\n`);
    expect(done.status?.phase).toBe('Aborted');
    expect(done.status?.stages?.[0]).toMatchObject({ phase: 'Aborted' });
    // Killed by the double's kill (SIGTERM: exit code 128 + 15), not by the end of the pod: stopping a container
    // signals only its first process (`cat`, which ignores SIGTERM), and the rest die at the 30 s grace period.
    await waitFor('the sleep killed', () => !alive(sleeping[0]), { timeoutMs: 10_000 });
    process.stdout.write(`stop to the sleep killed: ${Date.now() - t0} ms\n`);
    const log = await consoleOf(name);
    expect(log).toContain('about to sleep');
    expect(log).toContain('script returned exit code 143');
    expect(log).not.toContain('woke up');
  });

  it('runs the two steps of a parallel stage at the same time', async () => {
    const name = await run('together');
    const done = await finished(name);
    expect(done.status?.phase).toBe('Succeeded');
    const log = await consoleOf(name);
    expect(log).toContain('left met right');
    expect(log).toContain('right met left');
  });

  it('kills a step whose timeout expires, while its sibling in the same pod sees it stop', async () => {
    const done = await finished(timedOut, 180_000);
    expect(done.status?.stages?.[0]?.steps.map((s) => s.phase)).toEqual(['Aborted', 'Succeeded']);
    process.stdout.write(`timed-out run: ${done.status?.phase} (${done.status?.reason}); steps ${JSON.stringify(done.status?.stages?.[0]?.steps)}\n`);
    expect(['Aborted', 'Failed']).toContain(done.status?.phase);
    const log = await consoleOf(timedOut);
    expect(log).toContain('Cancelling nested steps due to timeout');
    expect(log).toContain('script returned exit code 143');
    expect(log).toContain('heartbeat alive');
    expect(log).toMatch(/heartbeat stopped at \d+\n/);
  });
});
