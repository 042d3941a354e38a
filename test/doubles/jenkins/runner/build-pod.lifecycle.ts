// The agent pod of one build, as the Jenkins Kubernetes plugin handles it: create it from the podTemplate,
// wait until it runs (scheduled by the real scheduler, started by KWOK or by the real node's kubelet), and end it
// with the build. On a real node its containers run, and `shell` runs the steps in them.
import type { Clock } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import { POD_EXIT_CODE_ANNOTATION, POD_FINISH_ANNOTATION } from '@keelson/servers';
import type { Build, BuildResult } from '../model/build';
import type { BuildPodBackend } from '../kube/build-pod.backend';
import type { KeelsonScript } from '../script/jenkinsfile.reader';
import { agentPod, AGENT_WORKDIR } from './agent-pod';
import { type InterruptScope, StepFailure } from './interrupt-scope';
import { PodShell } from './pod-shell';

export interface BuildPodEnv {
  clock: Clock;
  logger?: Logger;
  kube?: BuildPodBackend;
  podRetention: 'finish' | 'delete';
  podPollIntervalMs: number;
}

export class BuildPodLifecycle {
  private created = false;
  /** Set once the pod runs on a node whose kubelet runs containers: steps then run for real. */
  shell?: PodShell;

  constructor(private readonly build: Build, private readonly rootUrl: string, private readonly env: BuildPodEnv) {}

  /** Creates the pod and waits until it runs; without a cluster only the agent lines are logged. */
  async provision(template: KeelsonScript['podTemplate'], scope: InterruptScope): Promise<void> {
    const b = this.build;
    const { kube } = this.env;
    const cloud = template.cloud ?? 'kubernetes';
    const pod = agentPod({ yaml: template.yaml, namespace: template.namespace, job: b.job, build: b.number, rootUrl: this.rootUrl });
    const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
    b.pod = { namespace: pod.metadata.namespace, name: pod.metadata.name };
    if (kube) {
      try {
        await kube.createPod(pod.metadata.namespace, pod);
        this.created = true;
      } catch (err) {
        b.pod = undefined;
        throw new StepFailure(`Unable to create pod ${cloud} ${ref}: ${(err as Error).message}`);
      }
      b.log.line(`Created Pod: ${cloud} ${ref}`);
      const created = Date.now();
      const { nodeName, real } = await this.waitRunning(kube, pod.metadata.namespace, pod.metadata.name, scope);
      b.pod.nodeName = nodeName;
      b.pod.startMs = Date.now() - created;
      b.log.line(`[Normal][${ref}][Scheduled] Successfully assigned ${ref} to ${nodeName}`);
      if (real && kube.exec) {
        this.shell = new PodShell({ exec: kube.exec }, b.pod, b.job, this.env.logger);
        await this.shell.allocateWorkspace();
      }
    }
    b.log.line(`Agent ${pod.metadata.name} is provisioned from template ${pod.metadata.labels?.['jenkins/label']}`);
    b.log.line(`Running on ${pod.metadata.name} in ${AGENT_WORKDIR}/workspace/${b.job}`);
  }

  /**
   * Polls the pod (in real time: it waits for real servers) until it runs; a pod that ends first fails the build.
   * The plugin watches the pod and rides out an apiserver that is briefly away, so a failed read is tried again.
   */
  private async waitRunning(kube: BuildPodBackend, namespace: string, name: string, scope: InterruptScope): Promise<{ nodeName: string; real: boolean }> {
    for (let unreachable = false; ; ) {
      scope.throwIfInterrupted();
      const state = await kube.getPod(namespace, name).then(async (pod) => {
        // Whether its node runs containers (a real node) or only pretends (KWOK).
        const real = pod?.phase === 'Running' && pod.nodeName ? await kube.runsContainers?.(pod.nodeName) : false;
        return { pod, real: real === true };
      }, (err: Error) => ({ err }));
      if ('err' in state) {
        if (!unreachable) this.build.log.line(`Failed to read pod ${namespace}/${name}, retrying: ${state.err.message}`);
        unreachable = true;
      } else if (!state.pod) throw new StepFailure(`Pod ${namespace}/${name} was deleted before it started`);
      else if (state.pod.phase === 'Running') return { nodeName: state.pod.nodeName ?? '', real: state.real };
      else if (state.pod.unstartable?.length) {
        const [c] = state.pod.unstartable;
        throw new StepFailure(`Unable to start container ${c.container} of pod ${namespace}/${name}: ${c.reason}${c.message ? `: ${c.message}` : ''}`);
      }
      else if (state.pod.phase === 'Failed' || state.pod.phase === 'Succeeded') throw new StepFailure(`Pod ${namespace}/${name} ended (${state.pod.phase}) before it started`);
      await scope.wait<void>((resolve) => {
        const timer = setTimeout(resolve, this.env.podPollIntervalMs);
        return () => clearTimeout(timer);
      });
    }
  }

  /**
   * Finishes a running pod through the KWOK stage annotations, or deletes it (retention `delete`, not running, or
   * on a real node, where its containers would run on: the plugin's default retention deletes agent pods).
   */
  async finish(result: BuildResult): Promise<void> {
    const { kube } = this.env;
    const pod = this.build.pod;
    if (!kube || !pod || !this.created) return;
    const state = await kube.getPod(pod.namespace, pod.name);
    if (!state) return;
    if (this.env.podRetention === 'delete' || state.phase !== 'Running' || this.shell) {
      await kube.deletePod(pod.namespace, pod.name);
      return;
    }
    const ok = result === 'SUCCESS' || result === 'UNSTABLE';
    await kube.annotatePod(pod.namespace, pod.name, {
      [POD_FINISH_ANNOTATION]: ok ? 'Succeeded' : 'Failed',
      [POD_EXIT_CODE_ANNOTATION]: ok ? '0' : result === 'ABORTED' ? '143' : '1',
    });
  }
}
