import type { KeelsonKinds } from '@keelson/crds';

/** Any Kubernetes object as it travels over the API. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number;
    labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[];
    creationTimestamp?: string; deletionTimestamp?: string; generateName?: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  };
  [key: string]: unknown;
}

/** What the client needs to know to reach one kind of object. `T` is the object type. */
export interface ResourceType<T extends KubeObject = KubeObject> {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Phantom field carrying T; never set. */
  readonly __type?: T;
}

function rt<T extends KubeObject>(group: string, version: string, kind: string, plural: string, namespaced = true): ResourceType<T> {
  return { group, version, kind, plural, namespaced };
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

const K = 'devops.keelson.dev';
type Ours<N extends keyof KeelsonKinds> = KeelsonKinds[N] & KubeObject;

/** Keelson's resources. */
export const Keelson = {
  SourceCodeProvider: rt<Ours<'SourceCodeProvider'>>(K, 'v1alpha1', 'SourceCodeProvider', 'sourcecodeproviders'),
  SourceCodeCredential: rt<Ours<'SourceCodeCredential'>>(K, 'v1alpha1', 'SourceCodeCredential', 'sourcecodecredentials'),
  SourceCodeRepository: rt<Ours<'SourceCodeRepository'>>(K, 'v1alpha1', 'SourceCodeRepository', 'sourcecoderepositories'),
  PipelineSetting: rt<Ours<'PipelineSetting'>>(K, 'v1alpha1', 'PipelineSetting', 'pipelinesettings'),
  Pipeline: rt<Ours<'Pipeline'>>(K, 'v1alpha1', 'Pipeline', 'pipelines'),
  PipelineExecution: rt<Ours<'PipelineExecution'>>(K, 'v1alpha1', 'PipelineExecution', 'pipelineexecutions'),
};

export interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: unknown[] };
  status?: { conditions?: Array<{ type: string; status: string }>; capacity?: Record<string, string>; allocatable?: Record<string, string> };
}

export interface Pod extends KubeObject {
  spec: Record<string, unknown> & { nodeName?: string };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }>; [key: string]: unknown };
}

/** The core and built-in kinds Keelson uses. Their bodies stay loosely typed: we build them from plain objects. */
export const Core = {
  Namespace: rt<KubeObject>('', 'v1', 'Namespace', 'namespaces', false),
  Node: rt<Node>('', 'v1', 'Node', 'nodes', false),
  Pod: rt<Pod>('', 'v1', 'Pod', 'pods'),
  Secret: rt<KubeObject>('', 'v1', 'Secret', 'secrets'),
  ConfigMap: rt<KubeObject>('', 'v1', 'ConfigMap', 'configmaps'),
  Service: rt<KubeObject>('', 'v1', 'Service', 'services'),
  ServiceAccount: rt<KubeObject>('', 'v1', 'ServiceAccount', 'serviceaccounts'),
  PersistentVolumeClaim: rt<KubeObject>('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  PersistentVolume: rt<KubeObject>('', 'v1', 'PersistentVolume', 'persistentvolumes', false),
  Event: rt<KubeObject>('', 'v1', 'Event', 'events'),
  Deployment: rt<KubeObject>('apps', 'v1', 'Deployment', 'deployments'),
  Lease: rt<Lease>('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  Role: rt<KubeObject>('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  RoleBinding: rt<KubeObject>('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  ClusterRole: rt<KubeObject>('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: rt<KubeObject>('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  NetworkPolicy: rt<KubeObject>('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  CustomResourceDefinition: rt<KubeObject>('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
};

/** The object type a resource descriptor stands for: `ObjectOf<typeof Keelson.Pipeline>`. */
export type ObjectOf<R> = R extends ResourceType<infer T> ? T : never;
