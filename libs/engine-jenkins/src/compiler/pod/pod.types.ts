// The subset of the core/v1 Pod this compiler writes, as plain data. Kept here rather than imported from
// @kubernetes/client-node: only libs/kube owns that SDK, and the pod only needs to serialise to YAML.

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: PodSpec;
}

export interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  restartPolicy: 'Never';
  activeDeadlineSeconds: number;
  enableServiceLinks: boolean;
  securityContext: { seccompProfile: { type: 'RuntimeDefault' } };
  affinity?: { nodeAffinity: NodeAffinity };
  imagePullSecrets?: Array<{ name: string }>;
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
}

export interface NodeAffinity {
  preferredDuringSchedulingIgnoredDuringExecution: PreferredSchedulingTerm[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: { matchFields: Array<{ key: 'metadata.name'; operator: 'In'; values: string[] }> };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  tty?: boolean;
  env?: EnvVar[];
  resources?: ResourceRequirements;
  securityContext?: SecurityContext;
  volumeMounts?: VolumeMount[];
}

export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

export interface ResourceRequirements {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type: 'Unconfined' | 'RuntimeDefault' };
  appArmorProfile?: { type: 'Unconfined' | 'RuntimeDefault' };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export type Volume =
  | { name: string; hostPath: { path: string; type: 'DirectoryOrCreate' } }
  | { name: string; emptyDir: Record<string, never> }
  | { name: string; secret: { secretName: string; items?: Array<{ key: string; path: string }> } };
