// Checks that the schema cannot express: names unique, `${CICD_*}` names known, variables not defined twice,
// cache paths inside their roots, and no resource given both flat (Rancher style) and under `resources`.

import { isCicdVariableName, IMAGE_VARIABLE_NAMES } from './cicd-variables';
import { cicdReferences } from './cicd.substitution';
import { Cache, PipelineConfig } from './model';
import { ConfigIssue } from './pipeline-config.errors';
import { substitutableFields } from './substitution-fields';
import { displayPath, PathSegment, toPointer, YamlNodeLocator } from './yaml-node.locator';

type Raw = Record<string, any>;

const RESOURCE_KEYS = ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'];
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

    const stepNames = new Map<string, number>();
    stage.steps.forEach((step, pi) => {
      const at: PathSegment[] = ['stages', si, 'steps', pi];
      const rawStep = raw.stages[si].steps[pi] as Raw;
      const seen = stepNames.get(step.name);
      if (seen !== undefined) report([...at, 'name'], `step name "${step.name}" is already used by steps[${seen}] of this stage; expected unique step names`);
      else stepNames.set(step.name, pi);

      for (const k of RESOURCE_KEYS) {
        if (rawStep[k] !== undefined && rawStep.resources?.[k] !== undefined) {
          report([...at, k], `${k} is given both on the step and under resources; expected one of them`, true);
        }
      }
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

function checkCachePaths(cache: Cache, at: PathSegment[], report: (s: PathSegment[], m: string) => void): void {
  cache.paths.forEach((p, i) => {
    if (p.split(/[\\/]+/).includes('..')) report([...at, 'paths', i], `cache path "${p}" contains ".."; expected a path without parent references`);
  });
}
