// BuildPodBackend over @keelson/kube: the real apiserver, the real scheduler, and either KWOK moving the pod
// through phases or, on the real node, a kubelet running its containers.
import { Core, isNotFound, type KubeClient, type Pod } from '@keelson/kube';
import type { AgentPod, AgentPodState, BuildPodBackend, UnstartableContainer } from './build-pod.backend';

/** Waiting reasons that no amount of waiting cures (the plugin gives up on them too). */
const UNSTARTABLE = new Set(['ErrImageNeverPull', 'InvalidImageName', 'ErrImagePull', 'ImagePullBackOff']);

interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string; message?: string } };
}

export function kubePodBackend(kube: KubeClient): BuildPodBackend {
  const pods = kube.resource(Core.Pod);
  return {
    async createPod(namespace, pod: AgentPod) {
      await pods.create({ ...pod, metadata: { ...pod.metadata, namespace } } as Pod, { fieldManager: 'jenkins-double' });
    },
    async getPod(namespace, name): Promise<AgentPodState | undefined> {
      try {
        const pod = await pods.get(namespace, name);
        const statuses = [...(pod.status?.initContainerStatuses as ContainerStatus[] ?? []), ...(pod.status?.containerStatuses as ContainerStatus[] ?? [])];
        const unstartable: UnstartableContainer[] = statuses
          .filter((s) => UNSTARTABLE.has(s.state?.waiting?.reason ?? ''))
          .map((s) => ({ container: s.name, reason: s.state!.waiting!.reason!, message: s.state!.waiting!.message }));
        return { phase: pod.status?.phase, nodeName: pod.spec.nodeName, ...(unstartable.length > 0 && { unstartable }) };
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
    async runsContainers(nodeName) {
      const node = await kube.resource(Core.Node).get(undefined, nodeName);
      return node.metadata.annotations?.['kwok.x-k8s.io/node'] !== 'fake';
    },
    exec: (req) => kube.exec(req),
  };
}
