// Turns a schema-valid document into the normalised model: shorthands expanded, defaults applied. It trusts
// the schema for shapes and types; consistency checks that need the whole file live in semantic.checks.ts.

import {
  ApprovalConfig, Cache, Concurrency, Constraint, DEFAULT_BUILD_CONTEXT, DEFAULT_DOCKERFILE_PATH, DEFAULT_IMAGE_TAG,
  DEFAULT_PIPELINE_TIMEOUT_MINUTES, EnvFrom, Notification, NotificationCondition, PipelineConfig, RANCHER_RESOURCE_KEYS, Resources, Retry,
  Stage, Step, StepCommon, StepConfigByType, STEP_TYPES, StepType, When,
} from './model';
import { PathSegment, YamlNodeLocator } from './yaml-node.locator';

// The document has passed the schema, so these loose views only name what the schema guarantees.
type Raw = Record<string, any>;

const DEFAULT_NOTIFY_ON: NotificationCondition[] = ['Failed', 'Changed'];

export function normalizePipelineConfig(raw: Raw, locator: YamlNodeLocator): PipelineConfig {
  const config: PipelineConfig = {
    stages: (raw.stages as Raw[]).map((s, i) => normalizeStage(s, ['stages', i], locator)),
    timeout: raw.timeout ?? DEFAULT_PIPELINE_TIMEOUT_MINUTES,
  };
  if (raw.branch !== undefined) config.branch = normalizeConstraint(raw.branch);
  if (raw.cache) config.cache = normalizeCache(raw.cache);
  if (raw.notification) config.notification = normalizeNotification(raw.notification);
  if (raw.concurrency) config.concurrency = normalizeConcurrency(raw.concurrency);
  return config;
}

function normalizeStage(raw: Raw, at: PathSegment[], locator: YamlNodeLocator): Stage {
  const stage: Stage = {
    name: raw.name,
    steps: (raw.steps as Raw[]).map((s, i) => normalizeStep(s, i, [...at, 'steps', i], locator)),
  };
  if (raw.when) stage.when = normalizeWhen(raw.when);
  if (raw.cache) stage.cache = normalizeCache(raw.cache);
  return stage;
}

function normalizeStep(raw: Raw, index: number, at: PathSegment[], locator: YamlNodeLocator): Step {
  const type = STEP_TYPES.find((t) => raw[t] !== undefined) as StepType;
  const common: StepCommon = {
    name: raw.name ?? defaultStepName(index),
    env: normalizeEnv(raw.env ?? {}, [...at, 'env'], locator),
    envFrom: ((raw.envFrom ?? []) as Raw[]).map(normalizeEnvFrom),
    privileged: raw.privileged ?? false,
  };
  const resources = normalizeResources(raw);
  if (resources) common.resources = resources;
  if (raw.timeout !== undefined) common.timeout = raw.timeout;
  const retry = normalizeRetry(raw.retry);
  if (retry) common.retry = retry;
  if (raw.when) common.when = normalizeWhen(raw.when);
  if (raw.cache) common.cache = normalizeCache(raw.cache);
  const config = normalizeStepConfig(type, raw[type], [...at, type], locator);
  return { ...common, type, config } as Step;
}

export function defaultStepName(index: number): string {
  return `step-${index + 1}`;
}

function normalizeStepConfig(type: StepType, raw: Raw, at: PathSegment[], locator: YamlNodeLocator): StepConfigByType[StepType] {
  switch (type) {
    case 'runScriptConfig':
      return withoutUndefined({ image: raw.image, shellScript: raw.shellScript });
    case 'publishImageConfig':
      return withoutUndefined({
        dockerfilePath: raw.dockerfilePath ?? DEFAULT_DOCKERFILE_PATH,
        buildContext: raw.buildContext ?? DEFAULT_BUILD_CONTEXT,
        tag: raw.tag ?? DEFAULT_IMAGE_TAG,
        pushRemote: raw.pushRemote ?? false,
        registry: raw.registry,
      });
    case 'applyYamlConfig':
      return withoutUndefined({ path: raw.path, content: raw.content, namespace: raw.namespace });
    case 'applyAppConfig':
      return withoutUndefined({
        chart: raw.chart ?? raw.catalogTemplate,
        repo: raw.repo,
        version: scalarText(raw.version, [...at, 'version'], locator),
        values: raw.values ?? raw.answers ?? {},
        releaseName: raw.releaseName ?? raw.name,
        targetNamespace: raw.targetNamespace,
      });
    case 'publishCatalogConfig':
      return withoutUndefined({
        path: raw.path,
        catalogTemplate: raw.catalogTemplate,
        version: scalarText(raw.version, [...at, 'version'], locator) as string,
        gitUrl: raw.gitUrl,
        gitBranch: raw.gitBranch,
        gitAuthor: raw.gitAuthor,
        gitEmail: raw.gitEmail,
      });
    case 'approval': {
      const approval: ApprovalConfig = { message: raw.message, users: raw.users ?? [], groups: raw.groups ?? [] };
      return approval;
    }
  }
}

/** Numbers and booleans keep their source text: `VERSION: 1.10` must not become "1.1". */
function normalizeEnv(raw: Raw, at: PathSegment[], locator: YamlNodeLocator): Record<string, string> {
  const env: Record<string, string> = {};
  // defineProperty: a variable the file names `__proto__` stays a variable, not the object's prototype.
  for (const [k, v] of Object.entries(raw)) Object.defineProperty(env, k, { value: scalarText(v, [...at, k], locator), enumerable: true, writable: true, configurable: true });
  return env;
}

function scalarText(value: unknown, at: PathSegment[], locator: YamlNodeLocator): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return locator.sourceText(at) ?? String(value);
}

function normalizeEnvFrom(raw: Raw): EnvFrom {
  return { sourceName: raw.sourceName, sourceKey: raw.sourceKey, targetKey: raw.targetKey ?? raw.sourceKey };
}

/** Where each Rancher key is in the Kubernetes shape of `resources`. */
const KUBERNETES_SHAPE: Record<(typeof RANCHER_RESOURCE_KEYS)[number], [list: 'requests' | 'limits', resource: 'cpu' | 'memory']> = {
  cpuRequest: ['requests', 'cpu'], cpuLimit: ['limits', 'cpu'], memoryRequest: ['requests', 'memory'], memoryLimit: ['limits', 'memory'],
};

/**
 * `resources:` (Rancher's keys or the Kubernetes shape) and Rancher's flat keys on the step are folded into one
 * model (a key given twice, or the two shapes mixed, is an error before this runs).
 */
function normalizeResources(raw: Raw): Resources | undefined {
  const out: Resources = {};
  const nested = (raw.resources ?? {}) as Raw;
  for (const k of RANCHER_RESOURCE_KEYS) {
    const [list, resource] = KUBERNETES_SHAPE[k];
    const value = raw[k] ?? nested[k] ?? nested[list]?.[resource];
    if (value !== undefined) out[k] = String(value);
  }
  return Object.keys(out).length ? out : undefined;
}

function normalizeRetry(raw: unknown): Retry | undefined {
  const limit = typeof raw === 'number' ? raw : (raw as Raw | undefined)?.limit;
  return limit ? { limit } : undefined;
}

export function normalizeConstraint(raw: unknown): Constraint {
  if (typeof raw === 'string') return { include: [raw], exclude: [] };
  if (Array.isArray(raw)) return { include: raw.map(String), exclude: [] };
  const r = raw as Raw;
  return { include: r.include ?? [], exclude: r.exclude ?? [] };
}

function normalizeWhen(raw: Raw): When {
  const when: When = {};
  if (raw.branch !== undefined) when.branch = normalizeConstraint(raw.branch);
  if (raw.event !== undefined) when.event = normalizeConstraint(raw.event);
  return when;
}

function normalizeCache(raw: Raw): Cache {
  return withoutUndefined({ paths: raw.paths, key: raw.key });
}

function normalizeNotification(raw: Raw): Notification {
  const condition = raw.condition === undefined ? DEFAULT_NOTIFY_ON : [raw.condition].flat();
  return withoutUndefined({
    recipients: (raw.recipients as Raw[]).map((r) => ({ recipient: r.recipient, notifier: r.notifier })),
    condition,
    message: raw.message,
  });
}

function normalizeConcurrency(raw: Raw): Concurrency {
  return withoutUndefined({ limit: raw.limit, cancelSuperseded: raw.cancelSuperseded ?? false });
}

/** Keeps optional keys absent rather than present-and-undefined, so snapshots and deep equality stay clean. */
function withoutUndefined<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as Array<keyof T>) if (obj[k] === undefined) delete obj[k];
  return obj;
}
