import { CrdDefinition } from '../crd-definition';
import { sourceCodeProvider } from './source-code-provider';
import { sourceCodeCredential } from './source-code-credential';
import { sourceCodeRepository } from './source-code-repository';
import { pipelineSetting } from './pipeline-setting';
import { pipeline } from './pipeline';
import { pipelineExecution } from './pipeline-execution';

export const ALL_KINDS: CrdDefinition[] = [
  sourceCodeProvider, sourceCodeCredential, sourceCodeRepository, pipelineSetting, pipeline, pipelineExecution,
];
