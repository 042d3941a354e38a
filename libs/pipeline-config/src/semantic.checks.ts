// Checks that the schema cannot express: names unique, `${CICD_*}` names known, variables not defined twice,
// cache paths inside their roots, resources given one way each (flat or under `resources`, Rancher's keys or the
// Kubernetes shape), each a quantity, and no request above its limit.

import { isCicdVariableName, IMAGE_VARIABLE_NAMES } from './cicd-variables';
import { cicdReferences } from './cicd.substitution';
import { isKubernetesQuantity, QUANTITY_HINT, quantityValue } from './kubernetes-quantity';
import { Cache, PipelineConfig, RANCHER_RESOURCE_KEYS, Resources } from './model';
import { ConfigIssue } from './pipeline-config.errors';
import { substitutableFields } from './substitution-fields';
import { displayPath, PathSegment, toPointer, YamlNodeLocator } from './yaml-node.locator';

type Raw = Record<string, any>;

const IMAGE_VARIABLES = new Set<string>(IMAGE_VARIABLE_NAMES);

export function checkSemantics(config: PipelineConfig, raw: Raw, file: string, locator: YamlNodeLocator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (segments: PathSegment[], message: string, key = false) => {
    const pos = locator.locate(segments, key);
    issues.push({ code: 'ConfigSemantic', file, line: pos.line, column: pos.column, path: toPointer(segments), message });
  };

  const stageNames = new Map<string, number>();
  let firstPublishStage: number | undefined;
  config.stages.forEach((stage, si) => {
    const prev = stageNames.get(stage.name);
    if (prev !== undefined) report(['stages', si, 'name'], `stage name "${stage.name}" is already used by stages[${prev}]; expected unique stage names`);
    else stageNames.set(stage.name, si);

    if (stage.cache) checkCachePaths(stage.cache, ['stages', si, 'cache'], report);
    const stepNames = new Map<string, number>();
    stage.steps.forEach((step, pi) => {
      const at: PathSegment[] = ['stages', si, 'steps', pi];
      const rawStep = raw.stages[si].steps[pi] as Raw;
      const seen = stepNames.get(step.name);
      if (seen !== undefined) report([...at, 'name'], `step name "${step.name}" is already used by steps[${seen}] of this stage; expected unique step names`);
      else stepNames.set(step.name, pi);

      checkResources(step.resources, rawStep, at, report);
      const defined = new Map<string, string>();
      for (const name of Object.keys(step.env)) defined.set(name, 'env');
      step.envFrom.forEach((ef, ei) => {
        const where = [...at, 'envFrom', ei];
        if (defined.has(ef.targetKey)) report(where, `variable ${ef.targetKey} is already defined in ${defined.get(ef.targetKey)}; expected each variable once`);
        defined.set(ef.targetKey, 'envFrom');
      });
      for (const name of defined.keys()) {
        if (name.startsWith('CICD_')) report([...at, 'env'], `variable ${name} uses the reserved CICD_ prefix; expected another name`);
      }
      if (step.cache) checkCachePaths(step.cache, [...at, 'cache'], report);
      if (step.type === 'publishImageConfig' && firstPublishStage === undefined) firstPublishStage = si;
    });
  });
  if (config.cache) checkCachePaths(config.cache, ['cache'], report);

  for (const f of substitutableFields(config)) {
    const field = f.segments[f.segments.length - 1];
    const other = /\$\{(?!CICD_)[^}]*\}/.exec(f.value);
    // An image reference with `${...}` left in it can never be pulled or pushed: only `${CICD_*}` is substituted.
    if (other && (field === 'image' || field === 'tag')) {
      report(f.segments, `${displayPath(f.segments)}: ${other[0]} is never substituted (only \${CICD_*} variables are, not a step's env), so ${JSON.stringify(f.value)} cannot become an image reference`);
    }
    for (const ref of cicdReferences(f.value)) {
      if (isCicdVariableName(ref.name)) continue;
      const where = displayPath(f.segments);
      if (f.imageVariables && IMAGE_VARIABLES.has(ref.name)) {
        if (firstPublishStage === undefined || firstPublishStage >= (f.stageIndex ?? 0)) {
          report(f.segments, `${where}: \${${ref.name}} needs a publishImageConfig step in an earlier stage`);
        }
        continue;
      }
      report(f.segments, `${where}: unknown variable \${${ref.name}}; expected one of the CICD_* variables (CICD_GIT_COMMIT, CICD_GIT_BRANCH, ...)`);
    }
  }
  return issues;
}

const KUBERNETES_KEYS = { cpuRequest: ['requests', 'cpu'], cpuLimit: ['limits', 'cpu'], memoryRequest: ['requests', 'memory'], memoryLimit: ['limits', 'memory'] } as const;

function checkResources(resources: Resources | undefined, rawStep: Raw, at: PathSegment[], report: (s: PathSegment[], m: string, key?: boolean) => void): void {
  const nested = (rawStep.resources ?? {}) as Raw;
  const kubernetesShape = ['requests', 'limits'].filter((k) => nested[k] !== undefined);
  for (const k of RANCHER_RESOURCE_KEYS) {
    if (rawStep[k] === undefined) continue;
    if (nested[k] !== undefined) report([...at, k], `${k} is given both on the step and under resources; expected one of them`, true);
    // Within `resources` the schema already refuses the mix; across levels it is caught here.
    else if (kubernetesShape.length) {
      report([...at, k], `${displayPath([...at, k])}: Rancher's ${k} on the step cannot be mixed with resources.${kubernetesShape.join('/')} (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory`, true);
    }
  }
  if (!resources) return;
  // Where the file gave each value, to point at it.
  const source = (k: (typeof RANCHER_RESOURCE_KEYS)[number]): PathSegment[] => {
    if (rawStep[k] !== undefined) return [...at, k];
    if (nested[k] !== undefined) return [...at, 'resources', k];
    return [...at, 'resources', ...KUBERNETES_KEYS[k]];
  };
  for (const k of RANCHER_RESOURCE_KEYS) {
    const value = resources[k];
    // A YAML number the schema let through (`.inf`, or one JavaScript prints as `1e+21`) is checked as text.
    if (value !== undefined && !isKubernetesQuantity(value)) report(source(k), `${displayPath(source(k))}: ${JSON.stringify(value)} is not a quantity; ${QUANTITY_HINT}`);
  }
  for (const [request, limit, what] of [['cpuRequest', 'cpuLimit', 'cpu'], ['memoryRequest', 'memoryLimit', 'memory']] as const) {
    const r = resources[request] === undefined ? undefined : quantityValue(resources[request]!);
    const l = resources[limit] === undefined ? undefined : quantityValue(resources[limit]!);
    if (r !== undefined && l !== undefined && r > l) {
      report(source(request), `${displayPath(source(request))}: the ${what} request ${resources[request]} is more than the ${what} limit ${resources[limit]}; expected a request no larger than its limit (Kubernetes refuses the container otherwise)`);
    }
  }
}

function checkCachePaths(cache: Cache, at: PathSegment[], report: (s: PathSegment[], m: string) => void): void {
  cache.paths.forEach((p, i) => {
    if (p.split(/[\\/]+/).includes('..')) report([...at, 'paths', i], `cache path "${p}" contains ".."; expected a path without parent references`);
  });
}
