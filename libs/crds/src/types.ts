import { Static } from '@sinclair/typebox';
import { SourceCodeProviderSpec, SourceCodeProviderStatus } from './kinds/source-code-provider';
import { SourceCodeCredentialSpec, SourceCodeCredentialStatus } from './kinds/source-code-credential';
import { SourceCodeRepositorySpec, SourceCodeRepositoryStatus } from './kinds/source-code-repository';
import { PipelineSettingSpec, PipelineSettingStatus } from './kinds/pipeline-setting';
import { PipelineSpec, PipelineStatus } from './kinds/pipeline';
import { PipelineExecutionSpec, PipelineExecutionStatus, EXECUTION_PHASES, STEP_PHASES, TRIGGER_EVENTS } from './kinds/pipeline-execution';
import { Condition } from './schema-types';

// The static types come from the same TypeBox schemas that generate crds/*.yaml, so they cannot disagree.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  generateName?: string;
}

export interface KeelsonObject<K extends string, Spec, Status> {
  apiVersion: 'devops.keelson.dev/v1alpha1';
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type Condition = Static<typeof Condition>;
export type ExecutionPhase = (typeof EXECUTION_PHASES)[number];
export type StepPhase = (typeof STEP_PHASES)[number];
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export type SourceCodeProviderSpec = Static<typeof SourceCodeProviderSpec>;
export type SourceCodeProviderStatus = Static<typeof SourceCodeProviderStatus>;
export type SourceCodeProvider = KeelsonObject<'SourceCodeProvider', SourceCodeProviderSpec, SourceCodeProviderStatus>;

export type SourceCodeCredentialSpec = Static<typeof SourceCodeCredentialSpec>;
export type SourceCodeCredentialStatus = Static<typeof SourceCodeCredentialStatus>;
export type SourceCodeCredential = KeelsonObject<'SourceCodeCredential', SourceCodeCredentialSpec, SourceCodeCredentialStatus>;

export type SourceCodeRepositorySpec = Static<typeof SourceCodeRepositorySpec>;
export type SourceCodeRepositoryStatus = Static<typeof SourceCodeRepositoryStatus>;
export type SourceCodeRepository = KeelsonObject<'SourceCodeRepository', SourceCodeRepositorySpec, SourceCodeRepositoryStatus>;

export type PipelineSettingSpec = Static<typeof PipelineSettingSpec>;
export type PipelineSettingStatus = Static<typeof PipelineSettingStatus>;
export type PipelineSetting = KeelsonObject<'PipelineSetting', PipelineSettingSpec, PipelineSettingStatus>;

export type PipelineSpec = Static<typeof PipelineSpec>;
export type PipelineStatus = Static<typeof PipelineStatus>;
export type Pipeline = KeelsonObject<'Pipeline', PipelineSpec, PipelineStatus>;

export type PipelineExecutionSpec = Static<typeof PipelineExecutionSpec>;
export type PipelineExecutionStatus = Static<typeof PipelineExecutionStatus>;
export type PipelineExecution = KeelsonObject<'PipelineExecution', PipelineExecutionSpec, PipelineExecutionStatus>;

/** Kind name → object type, for typed clients. */
export interface KeelsonKinds {
  SourceCodeProvider: SourceCodeProvider;
  SourceCodeCredential: SourceCodeCredential;
  SourceCodeRepository: SourceCodeRepository;
  PipelineSetting: PipelineSetting;
  Pipeline: Pipeline;
  PipelineExecution: PipelineExecution;
}
