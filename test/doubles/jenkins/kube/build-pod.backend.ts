// What the double needs from a Kubernetes cluster to run build pods like the Jenkins Kubernetes plugin: create
// the agent pod, watch it get scheduled, finish or delete it, and on a real node run the steps in it through the
// exec API. Tests pass kubePodBackend(KubeClient) against a real apiserver with KWOK nodes (and the real node);
// anything else implementing this works too.
import type { PodExecRequest, PodExecResult } from '@keelson/kube';

export interface AgentPod {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A container the kubelet cannot start and will not start by waiting (an image that is not there). */
export interface UnstartableContainer {
  container: string;
  reason: string;
  message?: string;
}

export interface AgentPodState {
  phase?: string;
  nodeName?: string;
  unstartable?: UnstartableContainer[];
}

export interface BuildPodBackend {
  createPod(namespace: string, pod: AgentPod): Promise<void>;
  /** Undefined when the pod does not exist. */
  getPod(namespace: string, name: string): Promise<AgentPodState | undefined>;
  deletePod(namespace: string, name: string): Promise<void>;
  annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
  /** Whether a kubelet runs this node's containers (a real node); KWOK nodes run nothing. Absent: no node does. */
  runsContainers?(nodeName: string): Promise<boolean>;
  /** A command in a container of a running pod, through the pod exec API: how steps run on a real node. */
  exec?(req: PodExecRequest): Promise<PodExecResult>;
}
