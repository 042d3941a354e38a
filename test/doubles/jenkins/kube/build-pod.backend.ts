// What the double needs from a Kubernetes cluster to run build pods like the Jenkins Kubernetes plugin: create
// the agent pod, watch it get scheduled, finish or delete it. Tests pass kubePodBackend(KubeClient) against a
// real apiserver with KWOK nodes; anything else implementing this works too.

export interface AgentPod {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface AgentPodState {
  phase?: string;
  nodeName?: string;
}

export interface BuildPodBackend {
  createPod(namespace: string, pod: AgentPod): Promise<void>;
  /** Undefined when the pod does not exist. */
  getPod(namespace: string, name: string): Promise<AgentPodState | undefined>;
  deletePod(namespace: string, name: string): Promise<void>;
  annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
}
