// The JSON Schema of `.devops.yml`: the one source for validation (ajv) and for editors
// (`schemas/devops.schema.json` is generated from this object; a spec fails when the file drifts).
// Draft-07 because yaml-language-server and most editors support it best. Unknown keys are errors everywhere.
// Shorthands are written with if/then/else rather than oneOf so a mistake gets one precise error, not one per
// alternative; the only oneOf is "exactly one of these keys", which the error mapper words itself.

import { KUBERNETES_QUANTITY_PATTERN } from './kubernetes-quantity';
import { MAX_PIPELINE_TIMEOUT_MINUTES, MAX_STAGE_NAME_LENGTH, MAX_STAGES, MAX_STEPS_PER_STAGE, NOTIFICATION_CONDITIONS, PIPELINE_EVENTS, RANCHER_RESOURCE_KEYS, STEP_TYPES } from './model';

type Schema = Record<string, unknown>;

export const DEVOPS_SCHEMA_ID = 'https://keelson.dev/schemas/devops.schema.json';

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const nonEmpty = (description: string, extra: Schema = {}): Schema => str(description, { minLength: 1, ...extra });
const strict = (description: string, properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
});
const list = (description: string, items: Schema, extra: Schema = {}): Schema => ({ type: 'array', description, items, ...extra });
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const exactlyOneOf = (keys: readonly string[]): Schema => ({ oneOf: keys.map((k) => ({ required: [k] })) });
/** Optional, but never both. */
const atMostOneOf = (keys: readonly string[]): Schema => ({ not: { required: [...keys] } });

/** A string, a list, or `{include, exclude}`; written as if/then/else so each form reports its own error. */
const constraint = (description: string, item: Schema): Schema => ({
  description,
  if: { type: 'object' },
  then: strict('Glob lists; a value matching any exclude never matches.', {
    include: list('Matches when any of these match (all, when empty).', item),
    exclude: list('Never matches when any of these match; exclude wins over include.', item),
  }),
  else: { if: { type: 'array' }, then: list('Matches when any of these match.', item, { minItems: 1 }), else: item },
});

/** A name a shell script can read. */
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
/** What Kubernetes accepts as a container's variable name, and so Rancher did (`docker-pwd`, `app.mode`). */
const KUBERNETES_ENV_NAME = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';
/** A DNS label that may still hold `${CICD_*}` references (checked again once substituted, by Kubernetes). */
const DNS_LABEL_TEMPLATE = '^([a-z0-9]|\\$\\{CICD_[A-Z0-9_]+\\})([-a-z0-9]|\\$\\{CICD_[A-Z0-9_]+\\})*$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const quantity = (description: string): Schema => ({ type: ['string', 'number'], description, pattern: KUBERNETES_QUANTITY_PATTERN, minimum: 0, maxLength: 64 });
const minutes = (description: string): Schema => ({ type: 'integer', description, minimum: 1, maximum: MAX_PIPELINE_TIMEOUT_MINUTES });
const NAME = '^[^\\u0000-\\u001f\\u007f]+$';

/** Rancher's flat keys, accepted on the step itself and under `resources`. */
const resourceKeys: Record<string, Schema> = {
  cpuRequest: quantity('CPU request, a Kubernetes quantity (`250m`, `1`).'),
  cpuLimit: quantity('CPU limit, a Kubernetes quantity.'),
  memoryRequest: quantity('Memory request, a Kubernetes quantity (`256Mi`).'),
  memoryLimit: quantity('Memory limit, a Kubernetes quantity (`1Gi`).'),
};

/** The schema's definitions; variable names follow `envName`. */
const definitionsFor = (envName: string): Record<string, Schema> => ({
  branchConstraint: constraint(
    'Branch names: a glob, a list of globs, or {include, exclude}. `*` does not cross `/`, `**` does.',
    nonEmpty('A branch glob.'),
  ),
  eventConstraint: constraint('Events: a name, a list, or {include, exclude}.', {
    type: 'string',
    description: 'An event.',
    enum: [...PIPELINE_EVENTS],
  }),
  when: strict('Run only when both constraints match.', {
    branch: ref('branchConstraint'),
    event: ref('eventConstraint'),
  }),
  cache: strict('Directories kept between runs on the same node.', {
    paths: list('Workspace-relative or absolute paths; `..` is not allowed.', nonEmpty('A path.'), { minItems: 1 }),
    key: nonEmpty('Separates caches; `${CICD_*}` is substituted.'),
  }, ['paths']),
  env: {
    type: 'object',
    description: 'Environment variables; values have `${CICD_*}` substituted.',
    propertyNames: { pattern: envName },
    additionalProperties: { type: ['string', 'number', 'boolean'] },
  },
  envFrom: list('Secret keys exposed as variables; never injected into pull-request builds of forks.', strict(
    'A Secret key.',
    {
      sourceName: str('Secret name.', { pattern: DNS_SUBDOMAIN }),
      sourceKey: str('Key in the Secret.', { pattern: '^[-._a-zA-Z0-9]+$' }),
      targetKey: str('Variable name; defaults to sourceKey.', { pattern: envName }),
    },
    ['sourceName', 'sourceKey'],
  )),
  resources: {
    ...strict(
      'CPU and memory of the step container: Rancher\'s keys (`cpuRequest`, ...) or the Kubernetes shape (`requests`/`limits` with `cpu`/`memory`), not both.',
      { ...resourceKeys, requests: ref('resourceList'), limits: ref('resourceList') },
    ),
    // One shape per step: every Rancher key excludes both Kubernetes keys (each pair is reported by name).
    allOf: RANCHER_RESOURCE_KEYS.flatMap((rancher) => ['requests', 'limits'].map((kube) => atMostOneOf([rancher, kube]))),
  },
  resourceList: {
    ...strict('Kubernetes `requests` or `limits`, as in a container spec.', {
      cpu: quantity('CPU, a Kubernetes quantity (`250m`, `1`).'),
      memory: quantity('Memory, a Kubernetes quantity (`256Mi`, `1Gi`).'),
    }),
    minProperties: 1,
  },
  retry: {
    description: 'Extra attempts after a failure: a number, or {limit}.',
    if: { type: 'object' },
    then: strict('Retry settings.', { limit: { type: 'integer', minimum: 0, maximum: 10 } }, ['limit']),
    else: { type: 'integer', minimum: 0, maximum: 10 },
  },
  runScriptConfig: strict('Run a shell script in a container.', {
    image: nonEmpty('Container image; `${CICD_*}` is substituted.'),
    shellScript: str('Script run with `sh`; the shell expands variables, the server does not.'),
  }, ['image']),
  publishImageConfig: {
    ...strict('Build an image from a Dockerfile and push it.', {
      dockerfilePath: nonEmpty('Dockerfile path, default `./Dockerfile`.'),
      buildContext: nonEmpty('Build context, default `.`.'),
      tag: nonEmpty('Image `repo:tag`; default `${CICD_GIT_REPO_NAME}:${CICD_GIT_COMMIT}`.'),
      pushRemote: { type: 'boolean', description: 'Push to `registry` instead of the project registry.' },
      registry: nonEmpty('Remote registry host, required with pushRemote.'),
    }),
    if: { properties: { pushRemote: { const: true } }, required: ['pushRemote'] },
    then: { required: ['registry'] },
  },
  applyYamlConfig: {
    ...strict('Apply Kubernetes manifests (exactly one of path and content).', {
      path: nonEmpty('Manifest path in the repository; substituted.'),
      content: nonEmpty('Inline manifests; substituted.'),
      namespace: str('Target namespace; substituted.', { pattern: DNS_LABEL_TEMPLATE }),
    }),
    ...exactlyOneOf(['path', 'content']),
  },
  // Rancher's keys (catalogTemplate, answers, name) are accepted beside the Helm ones so migrated files run
  // unchanged; each pair is exactly one of, and both normalise to the Helm names.
  applyAppConfig: {
    ...strict('Install or upgrade a Helm release.', {
      chart: nonEmpty('Chart path, `repo/chart` or `oci://` reference; substituted.'),
      catalogTemplate: nonEmpty('Rancher name for `chart`.'),
      repo: nonEmpty('Chart repository URL.'),
      version: { type: ['string', 'number'], description: 'Chart version; substituted.' },
      values: { type: 'object', description: 'Helm values; string leaves are substituted.' },
      answers: { type: 'object', description: 'Rancher name for `values`.' },
      releaseName: nonEmpty('Release name; substituted.'),
      name: nonEmpty('Rancher name for `releaseName`.'),
      targetNamespace: nonEmpty('Namespace of the release; substituted.'),
    }),
    allOf: [exactlyOneOf(['chart', 'catalogTemplate']), exactlyOneOf(['releaseName', 'name']), atMostOneOf(['values', 'answers'])],
  },
  publishCatalogConfig: strict('Package a chart directory into a git-hosted chart repository.', {
    path: nonEmpty('Chart directory in the repository; substituted.'),
    catalogTemplate: nonEmpty('Chart name in the catalog; substituted.'),
    version: { type: ['string', 'number'], description: 'Chart version; substituted.' },
    gitUrl: nonEmpty('Catalog git repository URL.'),
    gitBranch: nonEmpty('Catalog branch.'),
    gitAuthor: nonEmpty('Commit author name.'),
    gitEmail: nonEmpty('Commit author email.'),
  }, ['path', 'catalogTemplate', 'version', 'gitUrl', 'gitBranch']),
  approval: strict('Wait until a person approves or rejects.', {
    message: nonEmpty('Shown to the approver.'),
    users: list('Users who may approve.', nonEmpty('A user name.')),
    groups: list('Groups whose members may approve.', nonEmpty('A group name.')),
  }, ['message']),
  step: {
    ...strict('A step: exactly one step type plus common keys.', {
      name: nonEmpty('Step name, unique in the stage; default `step-<n>`.', { maxLength: 63, pattern: NAME }),
      ...Object.fromEntries(STEP_TYPES.map((t) => [t, ref(t)])),
      env: ref('env'),
      envFrom: ref('envFrom'),
      resources: ref('resources'),
      ...resourceKeys,
      privileged: { type: 'boolean', description: 'Honoured only when the PipelineSetting allows it.' },
      timeout: minutes('Step timeout in whole minutes.'),
      retry: ref('retry'),
      when: ref('when'),
      cache: ref('cache'),
    }),
    ...exactlyOneOf(STEP_TYPES),
  },
  stage: strict('Steps of a stage run in parallel.', {
    name: nonEmpty('Stage name, unique in the file.', { maxLength: MAX_STAGE_NAME_LENGTH, pattern: NAME }),
    steps: list('Steps, run in parallel.', ref('step'), { minItems: 1, maxItems: MAX_STEPS_PER_STAGE }),
    when: ref('when'),
    cache: ref('cache'),
  }, ['name', 'steps']),
  notification: strict('Who hears about finished runs.', {
    recipients: list('Recipients.', strict('A recipient.', {
      recipient: nonEmpty('Address, channel or user, as the notifier understands it.'),
      notifier: nonEmpty('Notifier name.'),
    }, ['recipient', 'notifier']), { minItems: 1 }),
    condition: {
      description: 'Final states that notify (default Failed and Changed).',
      if: { type: 'array' },
      then: { type: 'array', items: { enum: [...NOTIFICATION_CONDITIONS] }, minItems: 1 },
      else: { type: 'string', enum: [...NOTIFICATION_CONDITIONS] },
    },
    message: nonEmpty('Replaces the default message.'),
  }, ['recipients']),
  concurrency: strict('How many runs of this pipeline may run at once.', {
    limit: { type: 'integer', minimum: 1, description: 'Maximum concurrent runs.' },
    cancelSuperseded: { type: 'boolean', description: 'A new run of a branch cancels older runs of that branch.' },
  }),
});

const schemaFor = (id: string, title: string, envName: string): Schema => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: id,
  title,
  ...strict('A Keelson pipeline: stages run in order, the steps of a stage in parallel.', {
    stages: list('Stages, run in order.', ref('stage'), { minItems: 1, maxItems: MAX_STAGES }),
    timeout: minutes('Pipeline timeout in whole minutes (default 60).'),
    branch: ref('branchConstraint'),
    cache: ref('cache'),
    notification: ref('notification'),
    concurrency: ref('concurrency'),
  }, ['stages']),
  definitions: definitionsFor(envName),
});

export const DEVOPS_SCHEMA: Schema = schemaFor(DEVOPS_SCHEMA_ID, 'Keelson pipeline (.devops.yml)', ENV_NAME);

/**
 * What a Rancher file is checked against once read as Rancher did (rancher-dialect.ts): the same schema, except
 * that variable names are those Kubernetes accepts, as Rancher passed them to the container unchecked. Not
 * published: editors validate `.devops.yml`.
 */
export const RANCHER_FILE_SCHEMA: Schema = schemaFor('https://keelson.dev/schemas/rancher-pipeline.schema.json', 'Rancher pipeline read by Keelson', KUBERNETES_ENV_NAME);

/** Repository path of the published schema, and its exact text (the drift spec compares the two). */
export const DEVOPS_SCHEMA_PATH = 'schemas/devops.schema.json';
export function renderDevopsSchema(): string {
  return JSON.stringify(DEVOPS_SCHEMA, null, 2) + '\n';
}
