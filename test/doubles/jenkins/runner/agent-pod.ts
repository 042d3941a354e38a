// The agent pod the Jenkins Kubernetes plugin makes from a podTemplate's YAML: its name and labels, the jnlp
// container's JENKINS_* variables and the shared workspace volume, merged into the YAML the compiler wrote.
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import type { AgentPod } from '../kube/build-pod.backend';

export const WORKSPACE_VOLUME = 'workspace-volume';
export const AGENT_WORKDIR = '/home/jenkins/agent';

interface Container {
  name?: string;
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  [key: string]: unknown;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** `<job>-<build>-<random>`: a DNS label, like the plugin's `<label>-<random>` pod names. */
export function agentPodName(job: string, build: number): { label: string; name: string } {
  const base = `${job}-${build}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 45).replace(/-+$/, '');
  const label = `${base.replace(/-(\d+)$/, '_$1')}-${randomSuffix()}`;
  return { label, name: `${label.replace(/_/g, '-')}-${randomSuffix()}` };
}

export interface AgentPodInput {
  yaml: string;
  namespace: string;
  job: string;
  build: number;
  /** Jenkins root URL, with a trailing slash. */
  rootUrl: string;
}

export function agentPod(input: AgentPodInput): AgentPod {
  const template = (parse(input.yaml) ?? {}) as { apiVersion?: string; kind?: string; metadata?: AgentPod['metadata']; spec?: Record<string, unknown> };
  const { label, name } = agentPodName(input.job, input.build);
  const runUrl = `job/${encodeURIComponent(input.job)}/${input.build}/`;
  const spec = { ...(template.spec ?? {}) } as Record<string, unknown> & { containers?: Container[]; volumes?: Array<{ name: string }> };
  const containers = (spec.containers ?? []).map((c) => ({ ...c }));
  if (!containers.some((c) => c.name === 'jnlp')) containers.push({ name: 'jnlp', image: 'jenkins/inbound-agent' });
  for (const c of containers) {
    if (!(c.volumeMounts ?? []).some((m) => m.mountPath === AGENT_WORKDIR)) {
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: WORKSPACE_VOLUME, mountPath: AGENT_WORKDIR }];
    }
    if (c.name === 'jnlp') {
      c.env = [...(c.env ?? []),
        { name: 'JENKINS_URL', value: input.rootUrl },
        { name: 'JENKINS_SECRET', value: randomBytes(32).toString('hex') },
        { name: 'JENKINS_AGENT_NAME', value: name },
        { name: 'JENKINS_NAME', value: name },
        { name: 'JENKINS_AGENT_WORKDIR', value: AGENT_WORKDIR },
        { name: 'REMOTING_OPTS', value: '-noReconnectAfter 1d' },
      ];
    }
  }
  spec.containers = containers;
  if (!(spec.volumes ?? []).some((v) => v.name === WORKSPACE_VOLUME)) spec.volumes = [...(spec.volumes ?? []), { name: WORKSPACE_VOLUME, emptyDir: {} } as { name: string }];
  spec.restartPolicy = 'Never';
  spec.nodeSelector = { 'kubernetes.io/os': 'linux', ...(spec.nodeSelector as Record<string, string> | undefined) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: input.namespace,
      labels: {
        ...template.metadata?.labels,
        jenkins: 'slave',
        'jenkins/label': label,
        'jenkins/label-digest': createHash('sha1').update(label).digest('hex'),
        'kubernetes.jenkins.io/controller': input.rootUrl.replace(/[^A-Za-z0-9]/g, '_').slice(0, 63).replace(/_+$/, ''),
      },
      annotations: { ...template.metadata?.annotations, buildUrl: `${input.rootUrl}${runUrl}`, runUrl },
    },
    spec,
  };
}
