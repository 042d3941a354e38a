// The parsed, validated and normalised `.devops.yml`. Every shorthand of the file format (a constraint given as
// a string or a list, `retry: 2`, flat Rancher resource keys, a single notification condition) has been
// expanded here, and every default has been applied, so consumers (the Jenkins compiler, the manager) never
// re-interpret the YAML. `${CICD_*}` references are still unresolved in this shape; `resolvePipelineConfig`
// returns the same shape with them substituted for one execution.

/** Events that can start a run. Rancher used `""` for manual runs; we name it, so `when.event` can select it. */
export const PIPELINE_EVENTS = ['push', 'pull_request', 'tag', 'manual', 'image'] as const;
export type PipelineEvent = (typeof PIPELINE_EVENTS)[number];

/** Rancher 2.x's pipeline file names: read when the repository has no `.devops.yml`, with Rancher's leniency. */
export const RANCHER_CONFIG_FILE_NAMES = ['.rancher-pipeline.yml', '.rancher-pipeline.yaml'] as const;

/** File names looked up at the repository root, in this order: the first that exists is the pipeline. */
export const CONFIG_FILE_NAMES = ['.devops.yml', '.devops.yaml', ...RANCHER_CONFIG_FILE_NAMES] as const;

/**
 * How a file is read. `devops`: strict, unknown keys are errors. `rancher`: Rancher 2.x's decoder, which ignored
 * unknown keys and took some shapes `.devops.yml` does not (`notification: {}`, `sourceCodeConfig` steps, ...);
 * each such key or shape becomes a warning.
 */
export type ConfigDialect = 'devops' | 'rancher';

/** `rancher` for a file named `.rancher-pipeline.yml` or `.rancher-pipeline.yaml` (in any directory), else `devops`. */
export function configDialectOf(path: string): ConfigDialect {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (RANCHER_CONFIG_FILE_NAMES as readonly string[]).includes(name) ? 'rancher' : 'devops';
}

/** Stages in one file, and steps in one stage: PipelineExecution.status caps both lists at 256. */
export const MAX_STAGES = 256;
/** Characters of a stage name. */
export const MAX_STAGE_NAME_LENGTH = 100;
export const MAX_STEPS_PER_STAGE = 256;

/**
 * Bytes of the normalised config as JSON. Every execution stores it (`spec.config`), and etcd refuses objects
 * over 1.5 MiB; 256 KiB leaves room for the status (stages, steps, conditions) and for the object's metadata.
 */
export const MAX_CONFIG_SNAPSHOT_BYTES = 256 * 1024;

/** Whole minutes; the run is wrapped in a timeout of this length unless the file says otherwise. */
export const DEFAULT_PIPELINE_TIMEOUT_MINUTES = 60;
/** The longest timeout a file may give, pipeline or step: a day. */
export const MAX_PIPELINE_TIMEOUT_MINUTES = 1440;

/**
 * Default `publishImageConfig.tag`. Rancher's default named `${CICD_GIT_REPOSITORY_NAME}`, which is never set,
 * so its images were tagged with literal `${...}` text. Both variables here are always set, and a short SHA is
 * a valid tag where a branch name (`feature/x`) is not.
 */
export const DEFAULT_IMAGE_TAG = '${CICD_GIT_REPO_NAME}:${CICD_GIT_COMMIT}';
export const DEFAULT_DOCKERFILE_PATH = './Dockerfile';
export const DEFAULT_BUILD_CONTEXT = '.';

/**
 * A normalised constraint. The file may give a string or a list (both become `include`) or the
 * `{include, exclude}` form. Matching: any exclude match ⇒ false; empty include ⇒ true; else any include match.
 * Globs: `*` does not cross `/`, `**` does.
 */
export interface Constraint {
  include: string[];
  exclude: string[];
}

/** `when` on a stage or step: both constraints must match (an absent one matches everything). */
export interface When {
  branch?: Constraint;
  event?: Constraint;
}
/** Alias kept for readers coming from Rancher, where this type is called Constraints. */
export type Condition = When;

/** A Secret key exposed as an environment variable. Never injected into pull-request builds of forks. */
export interface EnvFrom {
  sourceName: string;
  sourceKey: string;
  /** Defaults to `sourceKey` (Rancher semantics). */
  targetKey: string;
}

/** The file may give resources with Rancher's keys or in the Kubernetes shape; both normalise to these. */
export const RANCHER_RESOURCE_KEYS = ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const;

/**
 * Kubernetes quantity strings (`500m`, `1Gi`), Rancher's key names, whichever shape the file used
 * (`resources: {requests: {cpu}}` becomes `cpuRequest`). Absent means no request or limit.
 */
export interface Resources {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
}

/** Directories kept between runs (hostPath on warm nodes, see DESIGN §5). */
export interface Cache {
  /** Relative to the workspace, or absolute inside the step container; never containing `..`. */
  paths: string[];
  /** Separates caches of one pipeline; `${CICD_*}` substituted. Absent means one cache per pipeline. */
  key?: string;
}

/** Re-run a failed step. `limit` is the number of extra attempts after the first (1..10). */
export interface Retry {
  limit: number;
}

export const NOTIFICATION_CONDITIONS = ['Success', 'Failed', 'Aborted', 'Changed'] as const;
export type NotificationCondition = (typeof NOTIFICATION_CONDITIONS)[number];

export interface NotificationRecipient {
  recipient: string;
  notifier: string;
}

export interface Notification {
  recipients: NotificationRecipient[];
  /** When to notify; a single string in the file becomes a one-element list. Default: `['Failed', 'Changed']`. */
  condition: NotificationCondition[];
  message?: string;
}

export interface Concurrency {
  /** Maximum runs of this pipeline at once; absent means unlimited. */
  limit?: number;
  /** A new run of a branch cancels the older runs of the same branch still in flight. */
  cancelSuperseded: boolean;
}

// ---- step types -------------------------------------------------------------------------------------------

export interface RunScriptConfig {
  /** `${CICD_*}` substituted. */
  image: string;
  /** Not substituted: the shell expands variables at run time. */
  shellScript?: string;
}

export interface PublishImageConfig {
  dockerfilePath: string;
  buildContext: string;
  /** `${CICD_*}` substituted; default {@link DEFAULT_IMAGE_TAG}. */
  tag: string;
  /** false: push to the project registry (CICD_LOCAL_REGISTRY); true: push to `registry`. */
  pushRemote: boolean;
  /** Required when `pushRemote` is true. */
  registry?: string;
}

/** Exactly one of `path` and `content` is set. Both substituted. */
export interface ApplyYamlConfig {
  path?: string;
  content?: string;
  namespace?: string;
}

/** A Helm release. Every string field and every string leaf of `values` is `${CICD_*}` substituted. */
export interface ApplyAppConfig {
  /** A chart path in the repository, `repo/chart`, or an `oci://` reference. */
  chart: string;
  /** Chart repository URL, when `chart` is a bare chart name. */
  repo?: string;
  version?: string;
  values: Record<string, unknown>;
  releaseName: string;
  targetNamespace?: string;
}

/** Package a chart directory into a git-hosted chart repository (Rancher's keys). */
export interface PublishCatalogConfig {
  /** Chart directory in the repository; substituted. */
  path: string;
  /** Chart name in the catalog (`charts/<catalogTemplate>/<version>/`); substituted. */
  catalogTemplate: string;
  /** Substituted. */
  version: string;
  gitUrl: string;
  gitBranch: string;
  gitAuthor?: string;
  gitEmail?: string;
}

/** The run waits until a person approves or rejects. */
export interface ApprovalConfig {
  message: string;
  /** Users who may approve. With neither users nor groups, anyone allowed to approve the execution may. */
  users: string[];
  groups: string[];
}

/** Maps each step type key (as written in the file) to its config. */
export interface StepConfigByType {
  runScriptConfig: RunScriptConfig;
  publishImageConfig: PublishImageConfig;
  applyYamlConfig: ApplyYamlConfig;
  applyAppConfig: ApplyAppConfig;
  publishCatalogConfig: PublishCatalogConfig;
  approval: ApprovalConfig;
}
export type StepType = keyof StepConfigByType;
export const STEP_TYPES: readonly StepType[] = [
  'runScriptConfig', 'publishImageConfig', 'applyYamlConfig', 'applyAppConfig', 'publishCatalogConfig', 'approval',
];

/** Keys shared by every step type. */
export interface StepCommon {
  /** From the file, or `step-<n>` (1-based position in the stage). Unique within the stage. */
  name: string;
  /** Values `${CICD_*}` substituted. */
  env: Record<string, string>;
  envFrom: EnvFrom[];
  /** Flat Rancher keys (`cpuRequest` at step level) are folded in here. */
  resources?: Resources;
  /** Rancher compatibility; honoured only when the PipelineSetting allows privileged builds. */
  privileged: boolean;
  /** Whole minutes; absent means only the pipeline timeout applies. */
  timeout?: number;
  retry?: Retry;
  when?: When;
  cache?: Cache;
}

/** One step; `type` narrows `config`. */
export type Step = { [K in StepType]: StepCommon & { type: K; config: StepConfigByType[K] } }[StepType];
export type RunScriptStep = Extract<Step, { type: 'runScriptConfig' }>;
export type PublishImageStep = Extract<Step, { type: 'publishImageConfig' }>;
export type ApplyYamlStep = Extract<Step, { type: 'applyYamlConfig' }>;
export type ApplyAppStep = Extract<Step, { type: 'applyAppConfig' }>;
export type PublishCatalogStep = Extract<Step, { type: 'publishCatalogConfig' }>;
export type ApprovalStep = Extract<Step, { type: 'approval' }>;

/** Stages run in order; the steps of a stage run in parallel. */
export interface Stage {
  /** Unique within the pipeline. */
  name: string;
  steps: Step[];
  when?: When;
  /** Mounted in the container of every step of the stage, beside the pipeline's cache and the step's own. */
  cache?: Cache;
}

export interface PipelineConfig {
  stages: Stage[];
  /** Whole minutes, default {@link DEFAULT_PIPELINE_TIMEOUT_MINUTES}. */
  timeout: number;
  /** When it does not match the run's branch, no execution is created (any trigger, manual included). */
  branch?: Constraint;
  cache?: Cache;
  notification?: Notification;
  concurrency?: Concurrency;
}

// ---- execution facts and CICD variables ---------------------------------------------------------------

/** What the manager knows about one execution; input to `cicdVariables` and the evaluation helpers. */
export interface ExecutionFacts {
  event: PipelineEvent;
  /** Full 40-hex commit SHA the run builds. */
  commit: string;
  /**
   * The branch the run is for (Rancher meaning): push ⇒ pushed branch; pull_request ⇒ TARGET branch;
   * tag ⇒ the tag name; manual ⇒ the chosen branch; image ⇒ the branch the pipeline builds.
   */
  branch: string;
  /** `refs/heads/x`, `refs/tags/v1`, `refs/pull/N/head`; for manual runs the bare branch name. */
  ref: string;
  /** Tag events only; derived from `ref` when absent. */
  tag?: string;
  /** Pull requests: the source (head) branch. */
  sourceBranch?: string;
  /** Pull requests: true when the head repository is not the base repository (secrets are withheld). */
  fromFork?: boolean;
  runNumber: number;
  /** Execution resource name, `<pipeline>-<run>`. */
  executionId: string;
  pipeline: string;
  /** Project = the Kubernetes namespace of the Pipeline. */
  project: string;
  /** Repository clone URL. */
  gitUrl: string;
  /**
   * Where the project registry's images are referenced from (CICD_LOCAL_REGISTRY): `127.0.0.1:<port>/<project>`
   * through the node-local registry proxy, so every node pulls them (`127.0.0.1:<port>` in Rancher, a port per
   * project). Build pods push to the registry's Service (the compiler's `settings.registry.pushHost`).
   */
  localRegistry: string;
  triggerType: 'user' | 'webhook';
}

/** Names of every variable `cicdVariables` sets; `${CICD_X}` with any other name is an error. */
export const CICD_VARIABLE_NAMES = [
  'CICD_GIT_COMMIT', 'CICD_GIT_COMMIT_FULL', 'CICD_GIT_BRANCH', 'CICD_GIT_TAG', 'CICD_GIT_REF',
  'CICD_GIT_URL', 'CICD_GIT_REPO_NAME', 'CICD_EVENT', 'CICD_TRIGGER_TYPE', 'CICD_EXECUTION_ID',
  'CICD_EXECUTION_SEQUENCE', 'CICD_PIPELINE_ID', 'CICD_PROJECT_ID', 'CICD_LOCAL_REGISTRY',
] as const;
export type CicdVariableName = (typeof CICD_VARIABLE_NAMES)[number];
export type CicdVariables = Record<CicdVariableName, string>;

// ---- evaluation ---------------------------------------------------------------------------------------

/** What runs for a branch and an event. A step runs only if its stage runs; a stage only if the pipeline does. */
export interface ExecutionPlan {
  runs: boolean;
  stages: StagePlan[];
}
export interface StagePlan {
  name: string;
  runs: boolean;
  steps: StepPlan[];
}
export interface StepPlan {
  name: string;
  type: StepType;
  runs: boolean;
}
