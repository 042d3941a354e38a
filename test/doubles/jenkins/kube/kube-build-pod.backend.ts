// BuildPodBackend over @keelson/kube: the real apiserver, the real scheduler, KWOK moving the pod through phases.
import { Core, isNotFound, type KubeClient, type Pod } from '@keelson/kube';
import type { AgentPod, AgentPodState, BuildPodBackend } from './build-pod.backend';

export function kubePodBackend(kube: KubeClient): BuildPodBackend {
  const pods = kube.resource(Core.Pod);
  return {
    async createPod(namespace, pod: AgentPod) {
      await pods.create({ ...pod, metadata: { ...pod.metadata, namespace } } as Pod, { fieldManager: 'jenkins-double' });
    },
    async getPod(namespace, name): Promise<AgentPodState | undefined> {
      try {
        const pod = await pods.get(namespace, name);
        return { phase: pod.status?.phase, nodeName: pod.spec.nodeName };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async deletePod(namespace, name) {
      try {
        await pods.delete(namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async annotatePod(namespace, name, annotations) {
      await pods.patch(namespace, name, { metadata: { annotations } });
    },
  };
}
