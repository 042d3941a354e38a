// Reads a `.rancher-pipeline.yml` as Rancher 2.x did: gopkg.in/yaml.v2 decoding into the PipelineConfig Go
// types (rancher/rancher pkg/apis/project.cattle.io/v3/pipeline_types.go), then rewrites it into the shape the
// strict `.devops.yml` schema checks. What the decoder ignored is dropped with a warning; what it accepted in
// another shape is converted (with a warning when the meaning is not obvious); what it could not decode is left
// as it is, so the schema refuses it at its line and column. Keelson's own keys stay allowed in such a file.
// Rancher facts relied on (checked in its source, v2.5.17):
// - yaml.v2's non-strict Unmarshal: unknown keys ignored, the last of duplicate keys wins, any scalar decodes
//   into a string field as its text, null leaves a field at its zero value, YAML 1.1 booleans (`yes`, `on`).
// - Constraint and `condition` are string-or-list (`stringorslice`); `when.branch: x` means `{include: [x]}`.
// - A step's type is the first non-nil of sourceCodeConfig, runScriptConfig, publishImageConfig,
//   applyYamlConfig, publishCatalogConfig, applyAppConfig (engine/jenkins/convert.go); the others are ignored.
// - A notification without recipients notifies nobody; a timeout of 0 or less is the default, 60 minutes.

import { Document, isMap, isPair, isScalar, isSeq, Node } from 'yaml';
import { DEVOPS_SCHEMA } from './devops-schema';
import { MAX_PIPELINE_TIMEOUT_MINUTES, MAX_STAGE_NAME_LENGTH, NOTIFICATION_CONDITIONS, RANCHER_RESOURCE_KEYS } from './model';
import { ConfigIssue, ConfigWarning, PipelineConfigWarningCode } from './pipeline-config.errors';
import { displayPath, PathRemap, PathSegment, toPointer, YamlNodeLocator } from './yaml-node.locator';

type Raw = Record<string, unknown>;

export interface RancherReading {
  /** The document in `.devops.yml`'s shape, for the schema; `value` itself when it is not a mapping. */
  value: unknown;
  warnings: ConfigWarning[];
  /** What Rancher's decoder refused that the schema would word badly (a `sourceCodeConfig` that is not a mapping). */
  issues: ConfigIssue[];
  /** Paths of `value` back to the file: clone steps, and stages left empty, are gone from `value`. */
  remap: PathRemap;
}

/** Rancher's order: the first of these a step has is its type (Keelson's `approval` comes last). */
const STEP_TYPE_ORDER = [
  'sourceCodeConfig', 'runScriptConfig', 'publishImageConfig', 'applyYamlConfig', 'publishCatalogConfig', 'applyAppConfig', 'approval',
] as const;
const CLONE = 'sourceCodeConfig';

/** Fields the Go types declare as strings: a number or a boolean there is its text, as yaml.v2 decoded it. */
const STRING_FIELDS: Record<string, readonly string[]> = {
  stage: ['name'],
  runScriptConfig: ['image', 'shellScript'],
  publishImageConfig: ['dockerfilePath', 'buildContext', 'tag', 'registry'],
  applyYamlConfig: ['path', 'content', 'namespace'],
  publishCatalogConfig: ['path', 'catalogTemplate', 'version', 'gitUrl', 'gitBranch', 'gitAuthor', 'gitEmail'],
  applyAppConfig: ['catalogTemplate', 'version', 'name', 'targetNamespace', 'chart', 'repo', 'releaseName'],
  envFrom: ['sourceName', 'sourceKey', 'targetKey'],
  recipient: ['recipient', 'notifier'],
  notification: ['message'],
};

/** Empty means "the default" to the image builder Rancher ran (drone-docker), as absent does in Keelson. */
const EMPTY_MEANS_DEFAULT: Record<string, readonly string[]> = { publishImageConfig: ['dockerfilePath', 'buildContext'] };

/** yaml.v2 (YAML 1.1) read these plain scalars as booleans; YAML 1.2, which we parse, reads them as strings. */
const YAML11_BOOLEANS: Record<string, boolean> = Object.fromEntries([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((w) => [w, true]),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((w) => [w, false]),
]);

type Definition = { properties?: Record<string, unknown>; items?: Definition };
const SCHEMA_DEFINITIONS = DEVOPS_SCHEMA.definitions as Record<string, Definition>;
const TOP_KEYS = Object.keys((DEVOPS_SCHEMA as { properties: Record<string, unknown> }).properties);
/** The keys `.devops.yml` allows in a definition of its schema, the one list of what is known. */
const keysOf = (definition: string): string[] => {
  const schema = SCHEMA_DEFINITIONS[definition];
  return Object.keys(schema.properties ?? schema.items?.properties ?? {});
};

const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readAsRancher(doc: Document.Parsed, value: unknown, file: string, locator: YamlNodeLocator): RancherReading {
  return new RancherReader(file, locator).read(doc, value);
}

class RancherReader {
  readonly warnings: ConfigWarning[] = [];
  readonly issues: ConfigIssue[] = [];
  /** For each stage of the result, its index in the file; for each of its steps, theirs. */
  private readonly stageOrigin: number[] = [];
  private readonly stepOrigin: number[][] = [];

  constructor(private readonly file: string, private readonly locator: YamlNodeLocator) {}

  read(doc: Document.Parsed, value: unknown): RancherReading {
    this.duplicateKeys(doc.contents as Node | null, []);
    const adapted = isObject(value) ? this.top(value) : value;
    const byPosition = (a: { line: number; column: number }, b: { line: number; column: number }) => a.line - b.line || a.column - b.column;
    return { value: adapted, warnings: this.warnings.sort(byPosition), issues: this.issues, remap: (s) => this.remap(s) };
  }

  private remap(segments: readonly PathSegment[]): readonly PathSegment[] {
    if (segments[0] !== 'stages' || typeof segments[1] !== 'number') return segments;
    const stage = segments[1];
    const out = [...segments];
    out[1] = this.stageOrigin[stage] ?? stage;
    if (segments[2] === 'steps' && typeof segments[3] === 'number') out[3] = this.stepOrigin[stage]?.[segments[3]] ?? segments[3];
    return out;
  }

  // ---- levels of the file ---------------------------------------------------------------------------------

  private top(raw: Raw): Raw {
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      const at = [key];
      if (!TOP_KEYS.includes(key)) this.unknownKey(at, TOP_KEYS);
      else if (key === 'stages') out.stages = this.stages(v);
      else if (key === 'timeout') this.set(out, key, this.timeout(v, at));
      else if (key === 'branch') this.set(out, key, this.constraint(v, at));
      else if (key === 'notification') this.set(out, key, this.notification(v, at));
      else this.set(out, key, this.keelsonObject(v, key, at));
    }
    return out;
  }

  private stages(v: unknown): unknown {
    if (!Array.isArray(v)) return v;
    const out: unknown[] = [];
    v.forEach((stage, i) => {
      const at: PathSegment[] = ['stages', i];
      if (!isObject(stage)) {
        this.stageOrigin.push(i);
        this.stepOrigin.push([]);
        out.push(stage);
        return;
      }
      const read = this.stage(stage, at);
      if (!read) return;
      this.stageOrigin.push(i);
      this.stepOrigin.push(read.stepOrigin);
      out.push(read.stage);
    });
    this.uniqueStageNames(out);
    return out;
  }

  /**
   * Rancher ran stages by position, so two could share a name; Keelson tells stages apart by name (status, the
   * Jenkins stage view), so a repeated name gets a number, and the warning says which.
   */
  private uniqueStageNames(stages: unknown[]): void {
    const nameOf = (stage: unknown) => (isObject(stage) && typeof stage.name === 'string' ? stage.name : undefined);
    const first = new Map<string, number>();
    stages.forEach((stage, i) => {
      const name = nameOf(stage);
      if (name !== undefined && !first.has(name)) first.set(name, i);
    });
    const taken = new Set(first.keys());
    const nextNumber = new Map<string, number>(); // per name, so a file of many repeats stays linear
    stages.forEach((stage, i) => {
      const name = nameOf(stage);
      if (name === undefined || first.get(name) === i) return;
      const base = name.slice(0, MAX_STAGE_NAME_LENGTH - 8);
      let n = nextNumber.get(base) ?? 2;
      while (taken.has(`${base} (${n})`)) n++;
      nextNumber.set(base, n + 1);
      const renamed = `${base} (${n})`;
      taken.add(renamed);
      const at = ['stages', this.stageOrigin[i], 'name'];
      this.warn('MeaningDiffers', at, false, `stage name ${JSON.stringify(name)} is already used by stages[${this.stageOrigin[first.get(name)!]}]: Rancher ran both, and Keelson, whose stage names are unique, calls this one ${JSON.stringify(renamed)}`);
      (stage as Raw).name = renamed;
    });
  }

  /** Undefined when the stage held only clone steps, so nothing of it is left to run. */
  private stage(raw: Raw, at: PathSegment[]): { stage: Raw; stepOrigin: number[] } | undefined {
    const known = keysOf('stage');
    const out: Raw = {};
    let stepOrigin: number[] = [];
    for (const [key, v] of Object.entries(raw)) {
      const keyAt = [...at, key];
      if (!known.includes(key)) this.unknownKey(keyAt, known);
      else if (key === 'steps') {
        if (!Array.isArray(v)) {
          out.steps = v;
          continue;
        }
        const steps: unknown[] = [];
        v.forEach((step, i) => {
          const read = this.step(step, [...keyAt, i]);
          if (read === CLONE) return;
          stepOrigin.push(i);
          steps.push(read);
        });
        if (v.length > 0 && steps.length === 0) {
          this.warn('CloneStepIgnored', at, true, `${displayPath(at)} only clones the repository, which Keelson always does before the first stage: the stage is left out`);
          return undefined;
        }
        out.steps = steps;
      } else if (key === 'when') this.set(out, key, this.when(v, keyAt));
      else if (key === 'cache') this.set(out, key, this.keelsonObject(v, key, keyAt));
      else this.set(out, key, this.string(v, keyAt));
    }
    if (!Array.isArray(out.steps)) stepOrigin = [];
    return { stage: out, stepOrigin };
  }

  private step(raw: unknown, at: PathSegment[]): unknown {
    if (!isObject(raw)) return raw;
    // A type key with no value is a nil pointer to yaml.v2: no type at all.
    let types: string[] = STEP_TYPE_ORDER.filter((t) => raw[t] !== undefined && raw[t] !== null);
    if (types[0] === CLONE && !isObject(raw[CLONE])) {
      // yaml.v2 could not decode it into the empty struct, so Rancher refused the file.
      this.issue([...at, CLONE], `${displayPath([...at, CLONE])}: expected a mapping (\`sourceCodeConfig: {}\`), got ${kindOf(raw[CLONE])}`);
      types = types.slice(1);
    } else if (types[0] === CLONE) {
      const others = types.slice(1);
      this.warn('CloneStepIgnored', [...at, CLONE], true, `${displayPath(at)}: sourceCodeConfig is left out: Keelson always checks out the commit before the first stage${others.length ? ` (its ${others.join(', ')} never ran in Rancher either)` : ''}`);
      return CLONE;
    }
    const known = keysOf('step');
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      const keyAt = [...at, key];
      const isType = (STEP_TYPE_ORDER as readonly string[]).includes(key);
      if (key === CLONE) continue; // reported above
      if (isType && (v === null || v === undefined)) {
        if (types.length > 0) this.warn('ValueIgnored', keyAt, true, `${displayPath(keyAt)} is empty and ignored (as Rancher did): the step is a ${types[0]}`);
        continue;
      }
      if (isType && key !== types[0]) {
        this.warn('StepTypeIgnored', keyAt, true, `${displayPath(keyAt)} is ignored: this step is a ${types[0]}, and Rancher ran only the first type of a step (in the order ${STEP_TYPE_ORDER.slice(1, -1).join(', ')})`);
        continue;
      }
      if (!known.includes(key)) this.unknownKey(keyAt, known);
      else if (isType) this.set(out, key, this.stepConfig(key, v, keyAt));
      else if (key === 'env') this.set(out, key, this.env(v));
      else if (key === 'envFrom') this.set(out, key, this.envFrom(v, keyAt));
      else if (key === 'when') this.set(out, key, this.when(v, keyAt));
      else if (key === 'privileged') this.set(out, key, this.boolean(v, keyAt));
      else if ((RANCHER_RESOURCE_KEYS as readonly string[]).includes(key)) this.set(out, key, v ?? undefined);
      else if (key === 'resources') this.set(out, key, this.resources(v, keyAt));
      else if (key === 'cache' || key === 'retry') this.set(out, key, this.keelsonObject(v, key, keyAt));
      else this.set(out, key, v);
    }
    return out;
  }

  private stepConfig(type: string, raw: unknown, at: PathSegment[]): unknown {
    if (!isObject(raw)) return raw;
    const known = keysOf(type);
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      const keyAt = [...at, key];
      if (!known.includes(key)) this.unknownKey(keyAt, known);
      else if (STRING_FIELDS[type]?.includes(key)) {
        const text = this.string(v, keyAt);
        if (text === '' && EMPTY_MEANS_DEFAULT[type]?.includes(key)) continue;
        this.set(out, key, type === 'publishImageConfig' && key === 'tag' ? this.imageTag(text, raw, keyAt) : text);
      } else if (key === 'pushRemote') this.set(out, key, this.boolean(v, keyAt));
      else if (key === 'answers') this.set(out, key, this.answers(v, keyAt));
      else this.set(out, key, v);
    }
    return out;
  }

  /**
   * Rancher split a tag like its SplitImageTag: a first path component with `.` or `:` (or `localhost`) is a
   * registry, which it dropped, pushing to the step's `registry` (pushRemote) or the project registry instead.
   */
  private imageTag(tag: unknown, step: Raw, at: PathSegment[]): unknown {
    if (typeof tag !== 'string') return tag;
    const slash = tag.indexOf('/');
    const first = tag.slice(0, Math.max(slash, 0));
    if (slash < 0 || !(/[.:]/.test(first) || first === 'localhost' || first === '${CICD_LOCAL_REGISTRY}')) return tag;
    const rest = tag.slice(slash + 1);
    const remote = this.boolean(step.pushRemote, [...at.slice(0, -1), 'pushRemote']) === true && typeof step.registry === 'string' ? `registry ${JSON.stringify(step.registry)}` : 'the project registry';
    this.warn('ValueIgnored', at, false, `${displayPath(at)}: the registry ${JSON.stringify(first)} in the tag is ignored, as Rancher did: the image is pushed as ${JSON.stringify(rest)} to ${remote}`);
    return rest;
  }

  /** `map[string]string`: values are text, null is "". Nested values are Keelson's (Helm values) and stay. */
  private answers(raw: unknown, at: PathSegment[]): unknown {
    if (!isObject(raw)) return raw ?? undefined;
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) setOwn(out, key, v === null ? '' : isObject(v) || Array.isArray(v) ? v : this.string(v, [...at, key]));
    return out;
  }

  private env(raw: unknown): unknown {
    if (!isObject(raw)) return raw ?? undefined;
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) setOwn(out, key, v === null ? '' : v);
    return out;
  }

  private envFrom(raw: unknown, at: PathSegment[]): unknown {
    if (!Array.isArray(raw)) return raw ?? undefined;
    return raw.map((item, i) => this.mapping(item, 'envFrom', [...at, i], keysOf('envFrom')));
  }

  private when(raw: unknown, at: PathSegment[]): unknown {
    if (!isObject(raw)) return raw ?? undefined;
    const known = keysOf('when');
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      if (!known.includes(key)) this.unknownKey([...at, key], known);
      else this.set(out, key, this.constraint(v, [...at, key]));
    }
    return out;
  }

  /** Rancher's Constraint: a string, a list, or `{include, exclude}` each a string or a list; always the last form here. */
  private constraint(raw: unknown, at: PathSegment[]): unknown {
    if (raw === null || raw === undefined) return undefined;
    if (Array.isArray(raw)) return { include: this.strings(raw, at), exclude: [] };
    if (!isObject(raw)) return { include: [this.string(raw, at)], exclude: [] };
    const out: Raw = { include: [], exclude: [] };
    for (const [key, v] of Object.entries(raw)) {
      const keyAt = [...at, key];
      if (key !== 'include' && key !== 'exclude') this.unknownKey(keyAt, ['include', 'exclude']);
      else if (Array.isArray(v)) out[key] = this.strings(v, keyAt);
      else if (v !== null && !isObject(v)) out[key] = [this.string(v, keyAt)];
      else if (v !== null) out[key] = v;
    }
    return out;
  }

  private notification(raw: unknown, at: PathSegment[]): unknown {
    const nobody = (why: string) => {
      this.warn('NoRecipients', at, true, `notification ${why}: nobody is notified (as in Rancher, whose UI writes \`notification: {}\`); add recipients or remove it`);
      return undefined;
    };
    if (raw === null || raw === undefined) return nobody('is empty');
    if (!isObject(raw)) return raw;
    const known = keysOf('notification');
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      const keyAt = [...at, key];
      if (!known.includes(key)) this.unknownKey(keyAt, known);
      else if (key === 'recipients') this.set(out, key, Array.isArray(v) ? this.recipients(v, keyAt) : v ?? undefined);
      else if (key === 'condition') this.set(out, key, this.conditions(v, keyAt));
      else this.set(out, key, this.string(v, keyAt));
    }
    if (out.recipients === undefined || (Array.isArray(out.recipients) && out.recipients.length === 0)) return nobody('has no recipients');
    if (Array.isArray(out.condition) && out.condition.length === 0) {
      this.warn('ValueIgnored', [...at, 'condition'], true, `${displayPath([...at, 'condition'])} names no final state: Rancher never sent this notification, so it is left out`);
      return undefined;
    }
    if (out.condition === undefined) {
      this.warn('MeaningDiffers', at, true, 'notification has no condition: Rancher then never notified; Keelson notifies on Failed and Changed (say `condition: [Failed, Changed]` to keep that, or remove the notification)');
    }
    return out;
  }

  /** A recipient without a notifier reached nobody in Rancher (no notifier has an empty name). */
  private recipients(raw: unknown[], at: PathSegment[]): unknown[] {
    const out: unknown[] = [];
    raw.forEach((item, i) => {
      const read = this.mapping(item, 'recipient', [...at, i], ['recipient', 'notifier']);
      if (isObject(read) && (read.notifier === undefined || read.notifier === '')) {
        this.warn('ValueIgnored', [...at, i], false, `${displayPath([...at, i])} has no notifier, so nobody was notified through it (as in Rancher): it is left out`);
        return;
      }
      out.push(read);
    });
    return out;
  }

  /** Rancher compared `condition` with the execution's final state; a value that is none of them never matched. */
  private conditions(raw: unknown, at: PathSegment[]): unknown {
    if (raw === null || raw === undefined) return undefined;
    if (isObject(raw)) return raw;
    const list = Array.isArray(raw) ? raw : [raw];
    const out: unknown[] = [];
    list.forEach((v, i) => {
      const itemAt = Array.isArray(raw) ? [...at, i] : at;
      const text = isObject(v) || Array.isArray(v) ? v : this.string(v, itemAt);
      if ((NOTIFICATION_CONDITIONS as readonly unknown[]).includes(text)) out.push(text);
      else this.warn('ValueIgnored', itemAt, false, `${displayPath(itemAt)}: ${JSON.stringify(text)} is not ${NOTIFICATION_CONDITIONS.join(', ')}, so it never matched in Rancher: it is left out`);
    });
    return out;
  }

  private timeout(raw: unknown, at: PathSegment[]): unknown {
    if (raw === null || raw === undefined) return undefined;
    if (typeof raw !== 'number') return raw;
    const minutes = Math.trunc(raw); // yaml.v2 truncated a float into an int field
    if (minutes <= 0) {
      this.warn('ValueIgnored', at, false, `timeout ${raw} means the default, 60 minutes (as in Rancher)`);
      return undefined;
    }
    if (minutes > MAX_PIPELINE_TIMEOUT_MINUTES) {
      this.warn('MeaningDiffers', at, false, `timeout ${raw} is more than Keelson allows: the pipeline times out after ${MAX_PIPELINE_TIMEOUT_MINUTES} minutes`);
      return MAX_PIPELINE_TIMEOUT_MINUTES;
    }
    return minutes;
  }

  private resources(raw: unknown, at: PathSegment[]): unknown {
    const out = this.keelsonObject(raw, 'resources', at);
    if (!isObject(out)) return out;
    for (const list of ['requests', 'limits']) if (out[list] !== undefined) out[list] = this.keelsonObject(out[list], 'resourceList', [...at, list]);
    return out;
  }

  /** One of Keelson's own blocks (cache, retry, ...), allowed in a Rancher file; unknown keys in it are ignored too. */
  private keelsonObject(raw: unknown, definition: string, at: PathSegment[]): unknown {
    if (raw === null) return undefined;
    if (!isObject(raw)) return raw;
    const known = keysOf(definition);
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      if (known.includes(key)) out[key] = v;
      else this.unknownKey([...at, key], known);
    }
    return out;
  }

  /** A mapping of string fields (envFrom, recipient): text for scalars, unknown keys ignored. */
  private mapping(raw: unknown, definition: string, at: PathSegment[], known: readonly string[]): unknown {
    if (!isObject(raw)) return raw;
    const out: Raw = {};
    for (const [key, v] of Object.entries(raw)) {
      if (!known.includes(key)) this.unknownKey([...at, key], known);
      else this.set(out, key, STRING_FIELDS[definition]?.includes(key) ? this.string(v, [...at, key]) : v);
    }
    return out;
  }

  // ---- scalars --------------------------------------------------------------------------------------------

  /** A string field: a number or boolean is its source text (`1.10` stays `1.10`); null is absent. */
  private string(v: unknown, at: PathSegment[]): unknown {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return this.locator.sourceText(at) ?? String(v);
    return v;
  }

  private strings(list: unknown[], at: PathSegment[]): unknown[] {
    return list.map((v, i) => (isObject(v) || Array.isArray(v) ? v : this.string(v, [...at, i]) ?? v));
  }

  private boolean(v: unknown, at: PathSegment[]): unknown {
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'string' && v in YAML11_BOOLEANS && this.locator.isPlainScalar(at)) return YAML11_BOOLEANS[v];
    return v;
  }

  // ---- what is reported -----------------------------------------------------------------------------------

  /** Walks the document itself: once decoded, the first of two equal keys is gone. */
  private duplicateKeys(node: Node | null | undefined, at: PathSegment[]): void {
    if (isSeq(node)) node.items.forEach((item, i) => this.duplicateKeys(item as Node, [...at, i]));
    if (!isMap(node)) return;
    const seen = new Map<string, Node>();
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const first = seen.get(key);
      if (first && key !== '<<') {
        const pos = this.locator.position(first);
        const again = this.locator.position(pair.key as Node);
        this.push('DuplicateKey', toPointer([...at, key]), pos, `"${key}" in ${at.length ? displayPath(at) : 'the file'} is given again at line ${again.line}: the last one counts (as in Rancher)`);
      }
      seen.set(key, pair.key as Node);
      this.duplicateKeys(pair.value as Node, [...at, key]);
    }
  }

  private unknownKey(at: PathSegment[], known: readonly string[]): void {
    const where = at.length > 1 ? displayPath(at.slice(0, -1)) : 'the file';
    this.warn('UnknownKeyIgnored', at, true, `unknown key "${at[at.length - 1]}" in ${where} is ignored (as Rancher did); expected one of: ${known.join(', ')}`);
  }

  private warn(code: PipelineConfigWarningCode, at: PathSegment[], key: boolean, message: string): void {
    this.push(code, toPointer(at), this.locator.locate(at, key), message);
  }

  private push(code: PipelineConfigWarningCode, path: string, pos: { line: number; column: number }, message: string): void {
    this.warnings.push({ code, file: this.file, line: pos.line, column: pos.column, path, message });
  }

  private issue(at: PathSegment[], message: string): void {
    const pos = this.locator.locate(at, true);
    this.issues.push({ code: 'ConfigSchema', file: this.file, line: pos.line, column: pos.column, path: toPointer(at), message });
  }

  /** Sets a key only when there is a value: absent and null both mean the Go zero value. */
  private set(out: Raw, key: string, value: unknown): void {
    if (value !== undefined) out[key] = value;
  }
}

/** A key the file chose (`__proto__` included) becomes an own property, never the object's prototype. */
function setOwn(out: Raw, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${String(v)}`;
}
