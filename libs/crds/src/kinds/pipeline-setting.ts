import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, Obj, ObservedGeneration, Quantity, Rules, SecretKeyRef } from '../schema-types';

// The cache root and privileged builds reach the node, so they are the operator's (manager configuration, ADR
// 0004), never a namespaced object's. The fields stay in the schema so that objects stored before keep reading
// and updating (validation ratcheting lets an unchanged old value through); no new value is accepted.

export const PipelineSettingSpec = Obj({
  maxConcurrentExecutions: Type.Integer({ minimum: 1, maximum: 1000, default: 3, description: 'Executions of the project that run at once; more wait as Queued.' }),
  executor: Type.Optional(Obj({
    cpuRequest: Type.Optional(Quantity('CPU request of each step container unless the step sets one.')),
    cpuLimit: Type.Optional(Quantity('CPU limit of each step container unless the step sets one.')),
    memoryRequest: Type.Optional(Quantity('Memory request of each step container unless the step sets one.')),
    memoryLimit: Type.Optional(Quantity('Memory limit of each step container unless the step sets one.')),
  }, 'Default resources of build containers.')),
  cache: Type.Optional(Obj({
    root: Type.Optional(Type.String({
      pattern: '^/[^\\s]*$', maxLength: 1024,
      description: 'Refused: the cache root is the operator\'s, set by the manager setting CACHE_ROOT.',
      ...Rules({ rule: 'false', message: 'the cache root is the operator\'s: it is set by the manager setting CACHE_ROOT, not by a PipelineSetting; remove spec.cache.root' }),
    })),
    rememberedNodes: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'How many recent nodes a pipeline remembers and prefers.' }),
  }, 'Build cache on node hostPaths.')),
  historyLimit: Type.Integer({ minimum: 1, maximum: 10000, default: 100, description: 'Finished executions kept per pipeline, unless the Pipeline sets its own.' }),
  projectHistoryLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1000, description: 'Finished executions kept in the whole project, oldest pruned first.' })),
  logRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 30, description: 'Days archived logs are kept.' }),
  allowPrivileged: Type.Optional(Type.Boolean({
    description: 'Refused when true: the operator lists the projects whose builds may run privileged in the manager setting PRIVILEGED_BUILD_PROJECTS.',
    ...Rules({ rule: '!self', message: 'privileged builds are the operator\'s decision: the manager setting PRIVILEGED_BUILD_PROJECTS lists the projects that may run them' }),
  })),
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
