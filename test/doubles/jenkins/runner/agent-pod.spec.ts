import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJenkinsfile } from '../script/jenkinsfile.reader';
import { agentPod, agentPodName } from './agent-pod';

const GOLDEN = join(__dirname, '..', '..', '..', '..', 'libs', 'engine-jenkins', 'src', '__golden__');
const script = readJenkinsfile(readFileSync(join(GOLDEN, 'full-featured.Jenkinsfile'), 'utf8'));
const pod = agentPod({ yaml: script.podTemplate.yaml, namespace: 'team-a-pipeline', job: 'web', build: 7, rootUrl: 'http://127.0.0.1:8080/team-a-pipeline/' });
type Container = { name: string; env?: Array<{ name: string; value?: string }>; volumeMounts?: Array<{ name: string; mountPath: string }> };
const containers = pod.spec.containers as Container[];

describe('the agent pod', () => {
  it('is named <job>-<build>-<random> and is a DNS label', () => {
    expect(pod.metadata.name).toMatch(/^web-7-[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(agentPodName('Web.App_x', 12).name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(agentPodName('web', 7).name).not.toBe(agentPodName('web', 7).name);
  });

  it('keeps the template labels and annotations and adds the Jenkins agent labels', () => {
    expect(pod.metadata.labels).toMatchObject({
      'keelson.dev/execution': 'web-12', 'app.kubernetes.io/managed-by': 'keelson', jenkins: 'slave',
      'jenkins/label': expect.stringMatching(/^web_7-[a-z0-9]{5}$/), 'jenkins/label-digest': expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    for (const value of Object.values(pod.metadata.labels ?? {})) expect(value).toMatch(/^([A-Za-z0-9][-A-Za-z0-9_.]{0,61}[A-Za-z0-9]|[A-Za-z0-9])?$/);
    expect(pod.metadata.annotations).toMatchObject({ 'keelson.dev/execution': 'web-12', runUrl: 'job/web/7/', buildUrl: 'http://127.0.0.1:8080/team-a-pipeline/job/web/7/' });
  });

  it('keeps the template spec (affinity, containers) and mounts the agent workspace in every container', () => {
    expect(pod.spec.affinity).toMatchObject({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100 }, { weight: 50 }, { weight: 25 }] } });
    expect(containers.map((c) => c.name)).toEqual(['jnlp', 'step-0-0', 'step-0-1', 'step-2-0', 'step-2-1', 'step-2-2']);
    for (const c of containers) expect(c.volumeMounts).toContainEqual({ name: 'workspace-volume', mountPath: '/home/jenkins/agent' });
    expect((pod.spec.volumes as Array<{ name: string }>).filter((v) => v.name === 'workspace-volume')).toHaveLength(1);
    expect(pod.spec.restartPolicy).toBe('Never');
  });

  it('gives the jnlp container the agent variables', () => {
    const jnlp = containers.find((c) => c.name === 'jnlp') as Container;
    expect(jnlp.env).toEqual(expect.arrayContaining([
      { name: 'JENKINS_URL', value: 'http://127.0.0.1:8080/team-a-pipeline/' },
      { name: 'JENKINS_AGENT_NAME', value: pod.metadata.name },
      { name: 'JENKINS_SECRET', value: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]));
    expect(jnlp.env).toContainEqual({ name: 'CICD_EXECUTION_ID', value: 'web-12' });
  });
});
