// The Jenkins double against a real cluster: a build creates its agent pod from the podTemplate YAML, the real
// kube-scheduler binds it to a KWOK node, KWOK runs it, and the double finishes it when the build ends.
import { Cluster, waitFor } from '@keelson/servers';
import { Core, KubeClient, type Pod } from '@keelson/kube';
import { compileJenkinsJob } from '@keelson/engine-jenkins';
import { aCompileInput } from '../../libs/engine-jenkins/src/compiler/testing/compile-input.builders';
import { kubePodBackend, startJenkinsDouble, type DoubleBuild, type JenkinsDouble } from '../doubles/jenkins/jenkins-double';
import { JenkinsHttp, USER } from '../doubles/jenkins/testing/jenkins-http';

const NS = 'team-a-pipeline';
const NODES = ['kwok-node-0', 'kwok-node-1'];

let cluster: Cluster;
let kube: KubeClient;
let double: JenkinsDouble;
let http: JenkinsHttp;

beforeAll(async () => {
  cluster = await Cluster.start({ crds: false, nodes: 2 });
  kube = new KubeClient({ kubeconfigPath: cluster.adminKubeconfig });
  await kube.resource(Core.Namespace).create({ metadata: { name: NS } });
  await kube.resource(Core.ServiceAccount).create({ metadata: { namespace: NS, name: 'keelson-build' } });
  double = await startJenkinsDouble({ credentials: async () => USER, kube: kubePodBackend(kube), quietPeriodSeconds: 0, podPollIntervalMs: 100 });
  http = new JenkinsHttp(double.url(NS));
}, 180_000);

afterAll(async () => {
  await double?.stop();
  await cluster?.stop();
});

function aJob(name: string, script: string, settings: { namespace?: string } = {}) {
  const job = compileJenkinsJob(aCompileInput(`
stages:
- name: build
  steps:
  - runScriptConfig: {image: alpine, shellScript: ${JSON.stringify(script)}}
`, { facts: { executionId: `${name}-1`, pipeline: name }, settings: { namespace: settings.namespace ?? NS } }));
  return { ...job, executionId: `${name}-1` };
}

async function build(name: string, script: string, settings: { namespace?: string } = {}): Promise<void> {
  const job = aJob(name, script, settings);
  expect((await http.post(`/createItem?name=${name}`, job.configXml, 'application/xml')).status).toBe(200);
  expect((await http.post(`/job/${name}/buildWithParameters?EXECUTION_ID=${job.executionId}`)).status).toBe(201);
}

function buildOf(job: string): DoubleBuild | undefined {
  return double.builds(NS).find((b) => b.job === job);
}

async function finished(job: string): Promise<DoubleBuild> {
  await waitFor(`build ${job} to finish`, () => buildOf(job)?.building === false, { timeoutMs: 60_000 });
  return buildOf(job) as DoubleBuild;
}

async function podOf(b: DoubleBuild): Promise<Pod> {
  return kube.resource(Core.Pod).get(b.pod?.namespace, b.pod?.name as string);
}

describe('the Jenkins double with a real cluster', () => {
  it('creates the build pod, which the real scheduler binds to a KWOK node, and finishes it as Succeeded', async () => {
    await build('web', 'echo hello\nsleep 1\necho bye');
    await waitFor('the build to reach its step', () => (double.consoleText(NS, 'web', 1) ?? '').includes('+ echo hello'), { timeoutMs: 60_000 });
    const running = buildOf('web') as DoubleBuild;
    const pod = await podOf(running);
    expect(pod.status?.phase).toBe('Running');
    expect(NODES).toContain(pod.spec.nodeName);
    expect(pod.metadata.name).toMatch(/^web-1-[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(pod.metadata.labels).toMatchObject({ 'keelson.dev/execution': 'web-1', jenkins: 'slave', 'jenkins/label': expect.stringMatching(/^web_1-/) });

    const done = await finished('web');
    expect(done.result).toBe('SUCCESS');
    expect(done.pod?.nodeName).toBe(pod.spec.nodeName);
    expect(double.consoleText(NS, 'web', 1)).toContain(`Successfully assigned ${NS}/${pod.metadata.name} to ${pod.spec.nodeName}`);
    await waitFor('the pod to succeed', async () => (await podOf(done)).status?.phase === 'Succeeded', { timeoutMs: 30_000 });
  });

  it('finishes the pod of a failed build as Failed', async () => {
    await build('broken', 'exit 3');
    const done = await finished('broken');
    expect(done.result).toBe('FAILURE');
    await waitFor('the pod to fail', async () => (await podOf(done)).status?.phase === 'Failed', { timeoutMs: 30_000 });
    const statuses = (await podOf(done)).status?.containerStatuses as Array<{ state: { terminated: { exitCode: number } } }>;
    expect(statuses[0].state.terminated.exitCode).toBe(1);
  });

  it('fails the build when the pod cannot be created', async () => {
    await build('nowhere', 'echo hi', { namespace: 'no-such-namespace' });
    const done = await finished('nowhere');
    expect(done.result).toBe('FAILURE');
    expect(double.consoleText(NS, 'nowhere', 1)).toMatch(/ERROR: Unable to create pod kubernetes no-such-namespace\/nowhere-1-\S+: /);
  });

  it('rides out an apiserver that does not answer while the pod starts, as the plugin does', async () => {
    const real = kubePodBackend(kube);
    let refusals = 3;
    const flaky = {
      ...real,
      getPod: (namespace: string, name: string) => (refusals-- > 0 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')) : real.getPod(namespace, name)),
    };
    const patient = await startJenkinsDouble({ credentials: async () => USER, kube: flaky, quietPeriodSeconds: 0, podPollIntervalMs: 100 });
    try {
      const other = new JenkinsHttp(patient.url(NS));
      const job = aJob('patient', 'echo hi');
      await other.post('/createItem?name=patient', job.configXml, 'application/xml');
      await other.post(`/job/patient/buildWithParameters?EXECUTION_ID=${job.executionId}`);
      await waitFor('the build to finish', () => patient.builds(NS)[0]?.building === false, { timeoutMs: 60_000 });
      expect(refusals).toBeLessThan(0);
      expect(patient.builds(NS)[0].result).toBe('SUCCESS');
      const log = patient.consoleText(NS, 'patient', 1) ?? '';
      expect(log.match(/Failed to read pod .*retrying: connect ECONNREFUSED/g)).toHaveLength(1);
      expect(log).toContain('+ echo hi');
    } finally {
      await patient.stop();
    }
  });

  it('deletes the pod at the end instead when pod retention says so', async () => {
    const deleting = await startJenkinsDouble({ credentials: async () => USER, kube: kubePodBackend(kube), quietPeriodSeconds: 0, podPollIntervalMs: 100, podRetention: 'delete' });
    try {
      const other = new JenkinsHttp(deleting.url(NS));
      const job = aJob('tidy', 'echo hi');
      await other.post('/createItem?name=tidy', job.configXml, 'application/xml');
      await other.post(`/job/tidy/buildWithParameters?EXECUTION_ID=${job.executionId}`);
      await waitFor('the build to finish', () => deleting.builds(NS)[0]?.building === false, { timeoutMs: 60_000 });
      const done = deleting.builds(NS)[0];
      expect(done.result).toBe('SUCCESS');
      await waitFor('the pod to be gone', async () => {
        try {
          const pod = await podOf(done);
          return pod.metadata.deletionTimestamp !== undefined;
        } catch {
          return true;
        }
      }, { timeoutMs: 30_000 });
    } finally {
      await deleting.stop();
    }
  });
});
