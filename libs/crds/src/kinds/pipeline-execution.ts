import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, LocalRef, OpaqueObject, Obj, ObservedGeneration, StringEnum, Timestamp } from '../schema-types';
import { COMMIT_SHA_PATTERN, GIT_REF_NAME_PATTERN, GIT_URL_PATTERN } from './patterns';

export const EXECUTION_PHASES = ['Pending', 'Queued', 'Provisioning', 'Running', 'Succeeded', 'Failed', 'Aborted'] as const;
export const TERMINAL_PHASES = ['Succeeded', 'Failed', 'Aborted'] as const;
export const STEP_PHASES = ['Pending', 'Running', 'Waiting', 'Succeeded', 'Failed', 'Aborted', 'Skipped'] as const;
export const TRIGGER_EVENTS = ['push', 'pull_request', 'tag', 'manual', 'image'] as const;
/** The moments of an execution's life the timeline records, in the order they happen (DESIGN §4, issue 12 §3). */
export const TIMELINE_EVENTS = ['Created', 'Admitted', 'DataPlaneReady', 'JenkinsQueued', 'BuildStarted', 'PodScheduled', 'Running', 'Finished'] as const;
/** Live: chunks are being written; Complete: every step sealed; Partial: some output is missing (reason says why); Expired: deleted by logRetentionDays. */
export const LOG_STATES = ['Live', 'Complete', 'Partial', 'Expired'] as const;

const Times = {
  startTime: Type.Optional(Timestamp('When it started.')),
  completionTime: Type.Optional(Timestamp('When it ended.')),
};

/** A step's log once sealed into one object of the project's MinIO (docs/logs.md has the key layout). */
const StepLog = Obj({
  object: Type.String({ maxLength: 1024, description: 'Key of the sealed log in the logs bucket.' }),
  size: Type.Integer({ minimum: 0, description: 'Bytes stored (after masking).' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the stored bytes.' }),
  lines: Type.Optional(Type.Integer({ minimum: 0, description: 'Number of lines.' })),
  partial: Type.Optional(Type.Boolean({ description: 'True when some of the step\'s output could not be stored.' })),
}, 'The sealed log of one step.');

export const CACHE_LOOKUP_RESULTS = ['hit', 'miss'] as const;
export const CACHE_LOCK_OUTCOMES = ['held', 'timeout', 'readonly'] as const;
/** Cache keys a step can record: its pipeline's, its stage's and its own, with room to spare. */
export const MAX_STEP_CACHE_LOOKUPS = 16;

/** What a step found in one of its caches when it started, as its cache wrapper printed it (DESIGN §5). */
const CacheLookup = Obj({
  key: Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$', description: 'The cache key as the node\'s directory names it (sanitised; `fork-` for forks).' }),
  result: StringEnum(CACHE_LOOKUP_RESULTS, { description: 'hit: one of its cache paths held something when the step started; miss: all were empty.' }),
  lock: StringEnum(CACHE_LOCK_OUTCOMES, { description: 'held: the step was the key\'s only writer on the node; timeout: it waited its bound and ran without the lock; readonly: a fork build, which never writes.' }),
}, 'One cache lookup of a step.');

const StepStatus = Obj({
  name: Type.String({ maxLength: 256, description: 'Step name (its type when unnamed).' }),
  phase: StringEnum(STEP_PHASES, { description: 'Phase of the step.' }),
  ...Times,
  message: Type.Optional(Type.String({ maxLength: 4096, description: 'Why it is in this phase.' })),
  log: Type.Optional(StepLog),
  cache: Type.Optional(Type.Array(CacheLookup, { maxItems: MAX_STEP_CACHE_LOOKUPS, description: 'Its caches, hit or miss at its start (read from its log when the log is sealed).' })),
  approval: Type.Optional(Obj({
    decision: StringEnum(['Approved', 'Rejected'] as const, { description: 'What the person decided.' }),
    user: Type.String({ maxLength: 253, description: 'Who decided.' }),
    time: Timestamp('When.'),
    comment: Type.Optional(Type.String({ maxLength: 4096, description: 'Their comment.' })),
  }, 'The answer to an approval step.')),
}, 'Status of one step.');

const StageStatus = Obj({
  name: Type.String({ maxLength: 256, description: 'Stage name.' }),
  phase: StringEnum(STEP_PHASES, { description: 'Phase of the stage.' }),
  ...Times,
  steps: Type.Array(StepStatus, { maxItems: 256, description: 'Steps, in the order of the config.' }),
}, 'Status of one stage.');

export const REPORT_OUTCOMES = ['Delivered', 'Failed', 'Refused'] as const;

/** One commit status or notification of a final phase, as delivered (or not): never a URL, token or password. */
const ReportRecord = Obj({
  id: Type.String({ maxLength: 512, description: 'The report job id, `<uid>:<phase>:<target>`: one record per job.' }),
  target: Type.String({ maxLength: 253, description: '`commit-status`, or the notifier (the Secret\'s name).' }),
  recipient: Type.Optional(Type.String({ maxLength: 512, description: 'Who the notifier addressed, as the config names them.' })),
  phase: StringEnum(EXECUTION_PHASES, { description: 'The phase reported.' }),
  outcome: StringEnum(REPORT_OUTCOMES, { description: 'Delivered; Failed after its attempts; Refused by the outbound policy or the notifier\'s config (nothing sent).' }),
  attempts: Type.Integer({ minimum: 0, description: 'Attempts made.' }),
  time: Timestamp('When the outcome was known.'),
  message: Type.Optional(Type.String({ maxLength: 1024, description: 'Why it failed or was refused.' })),
}, 'The outcome of one report.');

const TimelineEntry = Obj({
  type: StringEnum(TIMELINE_EVENTS, { description: 'What happened.' }),
  time: Timestamp('When.'),
  message: Type.Optional(Type.String({ maxLength: 1024, description: 'Detail, e.g. "after 42s in the queue, behind web-11" or "node-a (warm)".' })),
}, 'One moment of the execution\'s life.');

/** Warnings about a pipeline file, kept on an execution: at most this many (the last says how many more there were). */
export const MAX_CONFIG_WARNINGS = 50;

const ConfigWarningRecord = Obj({
  file: Type.String({ maxLength: 1024, description: 'The pipeline file, as the repository names it.' }),
  line: Type.Integer({ minimum: 1, description: 'Line, from 1.' }),
  column: Type.Integer({ minimum: 1, description: 'Column, from 1.' }),
  message: Type.String({ maxLength: 1024, description: 'What was ignored or is read differently, and why.' }),
}, 'Something the pipeline file says that runs, but deserves a look (a key Rancher ignored, a notification without recipients, ...).');

const ExecutionLog = Obj({
  state: StringEnum(LOG_STATES, { description: 'Live, Complete, Partial (reason says why) or Expired (deleted by logRetentionDays).' }),
  reason: Type.Optional(Type.String({ maxLength: 1024, description: 'Why the log is partial or expired.' })),
  time: Type.Optional(Timestamp('When the state last changed.')),
}, 'Where the execution\'s logs stand.');

export const PipelineExecutionSpec = Obj({
  pipelineRef: LocalRef('The Pipeline this is a run of.'),
  run: Type.Optional(Type.Integer({ minimum: 1, description: 'Run number, unique per pipeline; allocated when absent.' })),
  trigger: Type.Optional(Obj({
    event: StringEnum(TRIGGER_EVENTS, { description: 'What started it.' }),
    user: Type.Optional(Type.String({ maxLength: 253, description: 'Who started it, for manual runs and reruns.' })),
    deliveryId: Type.Optional(Type.String({ maxLength: 256, description: 'Webhook delivery id: the idempotency key of a webhook run.' })),
    rerunOf: Type.Optional(Type.String({ maxLength: 253, description: 'The execution this reruns.' })),
  }, 'How the execution was started.')),
  repositoryUrl: Type.Optional(Type.String({ pattern: GIT_URL_PATTERN, maxLength: 2048, description: 'Clone URL; the fork\'s for fork pull requests.' })),
  commit: Type.Optional(Type.String({ pattern: COMMIT_SHA_PATTERN, description: 'Full commit SHA that runs.' })),
  branch: Type.Optional(Type.String({ pattern: GIT_REF_NAME_PATTERN, maxLength: 255, description: 'Branch name.' })),
  tag: Type.Optional(Type.String({ pattern: GIT_REF_NAME_PATTERN, maxLength: 255, description: 'Tag name, for tag events.' })),
  ref: Type.Optional(Type.String({ pattern: '^refs/[^\\s]+$', maxLength: 1024, description: 'Full git ref.' })),
  fork: Type.Boolean({ default: false, description: 'A pull request from a fork: no secrets, no cache writes.' }),
  author: Type.Optional(Obj({
    name: Type.Optional(Type.String({ maxLength: 256, description: 'Author name.' })),
    email: Type.Optional(Type.String({ maxLength: 256, description: 'Author email.' })),
    avatarUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Avatar URL.' })),
  }, 'Commit author.')),
  title: Type.Optional(Type.String({ maxLength: 1024, description: 'Pull request title or first line of the commit message.' })),
  message: Type.Optional(Type.String({ maxLength: 65536, description: 'Commit message.' })),
  htmlUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Link to the commit or pull request.' })),
  configPath: Type.Optional(Type.String({ maxLength: 1024, description: 'Path the config was read from.' })),
  config: Type.Optional(OpaqueObject('Snapshot of the parsed .devops.yml at the commit, so a rerun is reproducible.')),
  stop: Type.Boolean({ default: false, description: 'Set true to stop the execution (kubectl can do it too).' }),
}, 'One run of a pipeline at one commit.');

export const PipelineExecutionStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  phase: Type.Optional(StringEnum(EXECUTION_PHASES, { description: 'Where the execution is.' })),
  reason: Type.Optional(Type.String({ maxLength: 1024, description: 'Human reason for the current wait or outcome, e.g. "3 of 3 running in project demo".' })),
  queuedTime: Type.Optional(Timestamp('When it was created.')),
  ...Times,
  stages: Type.Optional(Type.Array(StageStatus, { maxItems: 256, description: 'Stages, in the order of the config.' })),
  node: Type.Optional(Type.String({ maxLength: 253, description: 'Node the build pod ran on.' })),
  warmNode: Type.Optional(Type.Boolean({ description: 'Whether that node held a cache of this pipeline.' })),
  build: Type.Optional(Obj({
    job: Type.String({ maxLength: 512, description: 'Jenkins job name.' }),
    queueItem: Type.Optional(Type.Integer({ minimum: 0, description: 'Jenkins queue item id.' })),
    number: Type.Optional(Type.Integer({ minimum: 1, description: 'Jenkins build number.' })),
  }, 'The Jenkins build of this execution.')),
  timeline: Type.Optional(Type.Array(TimelineEntry, { maxItems: 32, description: 'Created, admitted, data plane ready, Jenkins queued, build started, pod scheduled, running, finished: why it waited and for how long.' })),
  log: Type.Optional(ExecutionLog),
  notifications: Type.Optional(Type.Array(ReportRecord, { maxItems: 64, description: 'Commit statuses and notifications of the final phase (written by the report workers).' })),
  configWarnings: Type.Optional(Type.Array(ConfigWarningRecord, { maxItems: MAX_CONFIG_WARNINGS, description: 'Warnings about the pipeline file read for this execution (Rancher files only; keelson lint prints the same), written by the execution creator.' })),
}, 'Written by the execution controller, the sync loop, the execution creator (configWarnings) and the report workers (notifications).');

export const pipelineExecution: CrdDefinition = {
  kind: 'PipelineExecution', plural: 'pipelineexecutions', singular: 'pipelineexecution', shortNames: ['pe'],
  description: 'One run of a Pipeline at one commit, with the config snapshot and the stage and step status.',
  spec: PipelineExecutionSpec, status: PipelineExecutionStatus,
  printerColumns: [
    { name: 'Pipeline', type: 'string', jsonPath: '.spec.pipelineRef.name' },
    { name: 'Run', type: 'integer', jsonPath: '.spec.run' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Branch', type: 'string', jsonPath: '.spec.branch' },
    { name: 'Commit', type: 'string', jsonPath: '.spec.commit' },
    { name: 'Reason', type: 'string', jsonPath: '.status.reason' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
