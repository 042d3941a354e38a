// The one list of fields that take `${CICD_*}` substitution, shared by the linter (which reports unknown names
// at the field's line) and the resolver (which replaces them), so the two never disagree.
// shellScript is deliberately absent: the shell expands variables at run time.

import { PipelineConfig, Step } from './model';
import { PathSegment } from './yaml-node.locator';

export interface SubstitutableField {
  /** Path in the file (`stages/0/steps/1/publishImageConfig/tag`), for positions and messages. */
  segments: PathSegment[];
  value: string;
  /** applyYamlConfig fields also see CICD_REGISTRY, CICD_IMAGE_REPO and CICD_IMAGE. */
  imageVariables: boolean;
  stageIndex?: number;
  set(value: string): void;
}

export function substitutableFields(config: PipelineConfig): SubstitutableField[] {
  const out: SubstitutableField[] = [];
  const cache = config.cache;
  if (cache?.key !== undefined) {
    out.push(field(['cache', 'key'], cache.key, false, undefined, (v) => (cache.key = v)));
  }
  config.stages.forEach((stage, si) => {
    const stageCache = stage.cache;
    if (stageCache?.key !== undefined) {
      out.push(field(['stages', si, 'cache', 'key'], stageCache.key, false, si, (v) => (stageCache.key = v)));
    }
    stage.steps.forEach((step, pi) => {
      const base: PathSegment[] = ['stages', si, 'steps', pi];
      out.push(...stepFields(step, base, si));
    });
  });
  return out;
}

function stepFields(step: Step, base: PathSegment[], si: number): SubstitutableField[] {
  const out: SubstitutableField[] = [];
  const at = (...rest: PathSegment[]) => [...base, ...rest];
  const add = <T extends object, K extends keyof T & string>(obj: T, key: K, segs: PathSegment[], image = false) => {
    const v = obj[key];
    if (typeof v === 'string') out.push(field(segs, v, image, si, (nv) => ((obj as Record<string, unknown>)[key] = nv)));
  };
  const t = step.type;
  switch (step.type) {
    case 'runScriptConfig':
      add(step.config, 'image', at(t, 'image'));
      break;
    case 'publishImageConfig':
      for (const k of ['tag', 'dockerfilePath', 'buildContext'] as const) add(step.config, k, at(t, k));
      break;
    case 'applyYamlConfig':
      for (const k of ['path', 'content', 'namespace'] as const) add(step.config, k, at(t, k), true);
      break;
    case 'applyAppConfig':
      for (const k of ['chart', 'repo', 'version', 'releaseName', 'targetNamespace'] as const) add(step.config, k, at(t, k));
      out.push(...valueLeaves(step.config.values, at(t, 'values'), si));
      break;
    case 'publishCatalogConfig':
      for (const k of ['path', 'catalogTemplate', 'version'] as const) add(step.config, k, at(t, k));
      break;
    case 'approval':
      add(step.config, 'message', at(t, 'message'));
      break;
  }
  for (const k of Object.keys(step.env)) add(step.env, k, at('env', k));
  if (step.cache) add(step.cache, 'key', at('cache', 'key'));
  return out;
}

/** String leaves of Helm values; depth is bounded by the parser's nesting cap. */
function valueLeaves(values: unknown, segs: PathSegment[], si: number): SubstitutableField[] {
  const out: SubstitutableField[] = [];
  if (values === null || typeof values !== 'object') return out;
  const container = values as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    const k: PathSegment = Array.isArray(values) ? Number(key) : key;
    const v = container[key];
    if (typeof v === 'string') out.push(field([...segs, k], v, false, si, (nv) => (container[key] = nv)));
    else out.push(...valueLeaves(v, [...segs, k], si));
  }
  return out;
}

function field(segments: PathSegment[], value: string, imageVariables: boolean, stageIndex: number | undefined, set: (v: string) => void): SubstitutableField {
  return { segments, value, imageVariables, stageIndex, set };
}
