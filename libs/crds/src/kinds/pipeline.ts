import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, LocalRef, Obj, ObservedGeneration, StringEnum, Timestamp } from '../schema-types';
import { GIT_REF_NAME_PATTERN, GIT_URL_PATTERN, GLOB_PATTERN } from './patterns';
import { EXECUTION_PHASES } from './pipeline-execution';

function GlobFilter(description: string) {
  const globs = (what: string) => Type.Optional(Type.Array(Type.String({ pattern: GLOB_PATTERN, maxLength: 255 }), { maxItems: 64, description: what }));
  return Obj({
    include: globs('Globs that match; empty matches all. `*` stops at `/`, `**` does not.'),
    exclude: globs('Globs that never match; exclude wins over include.'),
  }, description);
}

function Trigger(description: string, enabledByDefault: boolean, filter: ReturnType<typeof GlobFilter>) {
  return Obj({
    enabled: Type.Boolean({ default: enabledByDefault, description: 'Whether this event starts executions.' }),
    filter: Type.Optional(filter),
  }, description);
}

export const PipelineSpec = Obj({
  displayName: Type.Optional(Type.String({ maxLength: 256, description: 'Name shown in the console, usually owner/repo.' })),
  repositoryUrl: Type.String({ pattern: GIT_URL_PATTERN, maxLength: 2048, description: 'Clone URL of the repository.' }),
  credentialRef: Type.Optional(LocalRef('SourceCodeCredential whose token reads and clones the repository; none for public repositories.')),
  configPath: Type.String({ pattern: '^[^/\\s][^\\s]*$', maxLength: 1024, default: '.devops.yml', description: 'Path of the pipeline file in the repository. With the default, .devops.yaml, .rancher-pipeline.yml and .rancher-pipeline.yaml are read in that order when .devops.yml does not exist at the commit; any other value is read as it is.' }),
  suspend: Type.Boolean({ default: false, description: 'When true, triggers create no executions.' }),
  historyLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Finished executions kept; the project\'s PipelineSetting historyLimit (100 by default) when absent.' })),
  triggers: Type.Optional(Obj({
    push: Type.Optional(Trigger('Branch pushes.', true, GlobFilter('Branches whose pushes run.'))),
    pullRequest: Type.Optional(Trigger('Pull requests opened or updated.', false, GlobFilter('Target branches whose pull requests run.'))),
    tag: Type.Optional(Trigger('Tags pushed.', false, GlobFilter('Tags that run.'))),
    imagePush: Type.Optional(Obj({
      enabled: Type.Boolean({ default: false, description: 'Whether image pushes start executions.' }),
      repository: Type.String({ pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$', maxLength: 255, description: 'Image repository in the project registry.' }),
      filter: Type.Optional(GlobFilter('Image tags that run.')),
      branch: Type.String({ pattern: GIT_REF_NAME_PATTERN, maxLength: 255, default: 'main', description: 'Branch whose `.devops.yml`, at its tip, runs for an image push.' }),
    }, 'Image pushes to the project registry, which notifies `/hooks/registry/<namespace>` of the manager.')),
  }, 'Which events start executions.')),
}, 'A CI/CD pipeline for one repository.');

export const PipelineStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  nextRun: Type.Integer({ minimum: 1, default: 1, description: 'Run number the next execution gets; allocated with optimistic concurrency.' }),
  lastExecution: Type.Optional(Obj({
    name: Type.String({ maxLength: 253, description: 'Execution name.' }),
    run: Type.Integer({ minimum: 1, description: 'Its run number.' }),
    phase: StringEnum(EXECUTION_PHASES, { description: 'Its phase.' }),
    startTime: Type.Optional(Timestamp('When it started.')),
  }, 'The latest execution.')),
  webhook: Type.Optional(Obj({
    url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Where the provider delivers: `<PUBLIC_URL>/hooks/pipelines/<namespace>/<name>`.' })),
    secretName: Type.String({ maxLength: 253, description: 'Secret of this namespace whose key `secret` signs deliveries.' }),
    id: Type.Optional(Type.String({ maxLength: 256, description: 'Webhook id at the provider, when Keelson registered it.' })),
  }, 'The webhook: where to deliver, the Secret that signs deliveries, and the hook at the provider.')),
  recentNodes: Type.Optional(Type.Array(Obj({
    name: Type.String({ maxLength: 253, description: 'Node name.' }),
    lastUsed: Timestamp('When a build of this pipeline last ran there.'),
  }, 'A node that holds this pipeline\'s cache.'), { maxItems: 20, description: 'Nodes where builds ran, most recent first; the next build prefers them.' })),
}, 'Written by the pipeline and execution controllers.');

export const pipeline: CrdDefinition = {
  kind: 'Pipeline', plural: 'pipelines', singular: 'pipeline', shortNames: ['pl'],
  description: 'A CI/CD pipeline: a repository, its triggers, and the run counter of its executions.',
  spec: PipelineSpec, status: PipelineStatus,
  printerColumns: [
    { name: 'Repository', type: 'string', jsonPath: '.spec.repositoryUrl' },
    { name: 'Last Run', type: 'integer', jsonPath: '.status.lastExecution.run' },
    { name: 'Last Phase', type: 'string', jsonPath: '.status.lastExecution.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
