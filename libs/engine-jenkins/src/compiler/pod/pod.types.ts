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
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
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

/** No seccomp or AppArmor field: the pod's RuntimeDefault holds for every container (baseline Pod Security). */
export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  /** A directory inside the volume (created by the kubelet when missing); the whole volume when absent. */
  subPath?: string;
  readOnly?: boolean;
}

export type Volume =
  | { name: string; persistentVolumeClaim: { claimName: string; readOnly: boolean } }
  | { name: string; emptyDir: Record<string, never> }
  | { name: string; secret: { secretName: string; items?: Array<{ key: string; path: string }> } }
  | { name: string; projected: { sources: VolumeProjection[] } };

/** The sources of the kube-api-access volume the kubelet would otherwise mount into every container. */
export type VolumeProjection =
  | { serviceAccountToken: { expirationSeconds: number; path: string } }
  | { configMap: { name: string; items: Array<{ key: string; path: string }> } }
  | { downwardAPI: { items: Array<{ path: string; fieldRef: { apiVersion: 'v1'; fieldPath: string } }> } };

/**
 * A cache directory on the node (core/v1 PersistentVolume, cluster-scoped). Only the manager creates these, so
 * no tenant text and no Jenkins can choose a host path (ADR 0004). A type alias rather than an interface, so it
 * is assignable to the index-signature object types of a Kubernetes client.
 */
export type PersistentVolume = {
  apiVersion: 'v1';
  kind: 'PersistentVolume';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    /** Nominal: a hostPath volume has no size limit. */
    capacity: { storage: string };
    accessModes: ['ReadWriteMany'];
    persistentVolumeReclaimPolicy: 'Retain';
    storageClassName: string;
    /** Pre-bound: only this claim may ever bind the volume. */
    claimRef: { apiVersion: 'v1'; kind: 'PersistentVolumeClaim'; namespace: string; name: string };
    hostPath: { path: string; type: 'DirectoryOrCreate' };
  };
};

/** The claim a build pod mounts (core/v1 PersistentVolumeClaim in the build namespace), pre-bound to its volume. */
export type PersistentVolumeClaim = {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    accessModes: ['ReadWriteMany'];
    storageClassName: string;
    volumeName: string;
    resources: { requests: { storage: string } };
  };
};

/** What the manager creates, volumes first, before the build pod may exist. */
export interface CacheVolumes {
  volumes: PersistentVolume[];
  claims: PersistentVolumeClaim[];
}
