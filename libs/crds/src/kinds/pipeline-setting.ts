import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, Obj, ObservedGeneration, Quantity, SecretKeyRef } from '../schema-types';

export const PipelineSettingSpec = Obj({
  maxConcurrentExecutions: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Executions of the project that run at once; more wait as Queued.' }),
  executor: Type.Optional(Obj({
    cpuRequest: Type.Optional(Quantity('CPU request of each step container unless the step sets one.')),
    cpuLimit: Type.Optional(Quantity('CPU limit of each step container unless the step sets one.')),
    memoryRequest: Type.Optional(Quantity('Memory request of each step container unless the step sets one.')),
    memoryLimit: Type.Optional(Quantity('Memory limit of each step container unless the step sets one.')),
  }, 'Default resources of build containers.')),
  cache: Type.Optional(Obj({
    root: Type.String({ pattern: '^/[^\\s]*$', maxLength: 1024, default: '/var/lib/keelson/cache', description: 'hostPath directory under which cache paths live on each node.' }),
    rememberedNodes: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'How many recent nodes a pipeline remembers and prefers.' }),
  }, 'Build cache on node hostPaths.')),
  historyLimit: Type.Integer({ minimum: 1, maximum: 10000, default: 100, description: 'Finished executions kept per pipeline.' }),
  logRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 30, description: 'Days archived logs are kept.' }),
  allowPrivileged: Type.Boolean({ default: false, description: 'Whether build containers may run privileged.' }),
  dataPlane: Type.Optional(Obj({
    kubeconfigSecretRef: Type.Optional(SecretKeyRef('Secret key holding a kubeconfig for another data-plane cluster.', 'kubeconfig')),
  }, 'Where builds run; the management cluster itself when empty.')),
}, 'Settings of one project (namespace).');

export const PipelineSettingStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  dataPlaneNamespace: Type.Optional(Type.String({ maxLength: 63, description: 'Namespace of the provisioned data plane.' })),
}, 'Written by the setting controller.');

export const pipelineSetting: CrdDefinition = {
  kind: 'PipelineSetting', plural: 'pipelinesettings', singular: 'pipelinesetting', shortNames: ['pset'],
  description: 'Per-project pipeline settings: concurrency, executor resources, cache, history, data plane.',
  spec: PipelineSettingSpec, status: PipelineSettingStatus,
  printerColumns: [
    { name: 'Concurrency', type: 'integer', jsonPath: '.spec.maxConcurrentExecutions' },
    { name: 'Data Plane', type: 'string', jsonPath: '.status.dataPlaneNamespace' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
