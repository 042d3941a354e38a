// Validates a parsed document against DEVOPS_SCHEMA with ajv and turns ajv's errors into located, readable
// issues: the unknown key itself is pointed at, a missing key points at its mapping, and the noise ajv emits
// for if/then and oneOf branches is folded into one message saying what was expected.

import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { DEVOPS_SCHEMA, RANCHER_FILE_SCHEMA } from './devops-schema';
import { KUBERNETES_QUANTITY_PATTERN, QUANTITY_HINT } from './kubernetes-quantity';
import { ConfigDialect, RANCHER_RESOURCE_KEYS } from './model';
import { ConfigIssue } from './pipeline-config.errors';
import { displayPath, pointerSegments, YamlNodeLocator } from './yaml-node.locator';

/** More than this many schema errors in one file says little more and floods the terminal. */
const MAX_ISSUES = 50;

const compiled = new Map<ConfigDialect, ValidateFunction>();

/** Compiled once per process and dialect; compiling a schema costs far more than validating a file. */
function validator(dialect: ConfigDialect): ValidateFunction {
  let validate = compiled.get(dialect);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    validate = ajv.compile(dialect === 'rancher' ? RANCHER_FILE_SCHEMA : DEVOPS_SCHEMA);
    compiled.set(dialect, validate);
  }
  return validate;
}

export function validateAgainstSchema(value: unknown, file: string, locator: YamlNodeLocator, dialect: ConfigDialect = 'devops'): ConfigIssue[] {
  const validate = validator(dialect);
  if (validate(value)) return [];
  const errors = foldErrors(validate.errors ?? []);
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const err of errors) {
    const segments = pointerSegments(err.instancePath);
    const unknownKey = err.keyword === 'additionalProperties' ? String(err.params.additionalProperty) : undefined;
    const badName = err.keyword === 'propertyNames' ? String(err.params.propertyName) : undefined;
    const mixed = mixedResourceShapes(err);
    const pointAt = unknownKey ?? badName ?? mixed?.[0];
    // A missing key is reported at the key of the mapping that lacks it (`runScriptConfig:`), not its first child.
    // A too-long list is reported at its key (`steps:`), where the reader looks for it.
    const atKey = err.keyword === 'required' || err.keyword === 'oneOf' || err.keyword === 'maxItems';
    const pos = pointAt !== undefined ? locator.locate([...segments, pointAt], true) : locator.locate(segments, atKey);
    const message = describe(err, segments, value);
    const key = `${pos.line}:${pos.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ code: 'ConfigSchema', file, line: pos.line, column: pos.column, path: err.instancePath, message });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Drops errors that only restate others: the "must match then schema" wrapper of if/then, the per-branch
 * `required` errors under a oneOf (the oneOf error is reworded instead), and the propertyNames inner error.
 */
function foldErrors(errors: ErrorObject[]): ErrorObject[] {
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    if (/\/oneOf\/\d+\//.test(e.schemaPath) && e.keyword === 'required') return false;
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') return false;
    return true;
  });
}

function describe(err: ErrorObject, segments: (string | number)[], root: unknown): string {
  const where = segments.length ? displayPath(segments) : 'the file';
  const value = valueAt(root, segments);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return `unknown key "${p.additionalProperty}" in ${where}; expected one of: ${allowedKeys(err).join(', ')}`;
    case 'required':
      return `${where} is missing the required key "${p.missingProperty}"`;
    case 'type': {
      const shorthand = /^#\/definitions\/(\w+)\/.*else\/type$/.exec(err.schemaPath);
      const expected = shorthand ? SHORTHANDS[shorthand[1]] : undefined;
      if (expected) return `${where}: expected ${expected}, got ${kindOf(value)}`;
      return `${where}: expected ${article(String(p.type))}, got ${kindOf(value)}`;
    }
    case 'enum':
      return `${where}: expected one of ${(p.allowedValues as unknown[]).join(', ')}; got ${JSON.stringify(value)}`;
    case 'oneOf': {
      const keys = ((err.parentSchema as { oneOf: Array<{ required: string[] }> }).oneOf ?? []).map((b) => b.required[0]);
      const present = keys.filter((k) => value !== null && typeof value === 'object' && k in (value as object));
      const found = present.length === 0 ? 'found none' : `found ${present.join(' and ')}`;
      return `${where}: expected exactly one of ${keys.join(', ')}; ${found}`;
    }
    case 'not': {
      const mixed = mixedResourceShapes(err);
      if (mixed) return `${displayPath([...segments, mixed[0]])}: Rancher's ${mixed[0]} cannot be mixed with ${mixed[1]} (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory`;
      const keys = ((err.parentSchema as { not?: { required?: string[] } }).not?.required ?? []);
      return `${where}: expected at most one of ${keys.join(', ')}; found ${keys.join(' and ')}`;
    }
    case 'propertyNames':
      return `"${p.propertyName}" in ${where} is not a valid variable name; expected letters, digits and _, not starting with a digit`;
    case 'minimum':
    case 'maximum':
      return `${where}: expected a number ${p.comparison} ${p.limit}; got ${JSON.stringify(value)}`;
    case 'minProperties': {
      const keys = Object.keys((err.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      return `${where}: expected at least one of ${keys.join(', ')}`;
    }
    case 'minItems':
      return `${where}: expected at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `${where}: expected at most ${p.limit} items; got ${Array.isArray(value) ? value.length : 'more'}`;
    case 'minLength':
      return `${where}: expected a non-empty string`;
    case 'maxLength':
      return `${where}: expected at most ${p.limit} characters`;
    case 'pattern':
      if (p.pattern === KUBERNETES_QUANTITY_PATTERN) return `${where}: ${JSON.stringify(value)} is not a quantity; ${QUANTITY_HINT}`;
      return `${where}: ${JSON.stringify(value)} does not match ${p.pattern}`;
    default:
      return `${where}: ${err.message ?? 'is invalid'}`;
  }
}

/** The Rancher key and the Kubernetes key of a `resources` mapping that mixes the two shapes. */
function mixedResourceShapes(err: ErrorObject): [string, string] | undefined {
  if (err.keyword !== 'not') return undefined;
  const keys = (err.parentSchema as { not?: { required?: string[] } }).not?.required ?? [];
  const [rancher, kube] = keys;
  return keys.length === 2 && (RANCHER_RESOURCE_KEYS as readonly string[]).includes(rancher) && (kube === 'requests' || kube === 'limits') ? [rancher, kube] : undefined;
}

/** What the last-resort branch of a shorthand stands for, when none of its forms fit. */
const SHORTHANDS: Record<string, string> = {
  branchConstraint: 'a branch glob, a list of globs, or {include, exclude}',
  eventConstraint: 'an event, a list of events, or {include, exclude}',
  retry: 'a whole number of retries or {limit}',
  notification: 'a state or a list of states',
};

function allowedKeys(err: ErrorObject): string[] {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.keys(props);
}

function valueAt(root: unknown, segments: (string | number)[]): unknown {
  let v = root;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return `the string ${JSON.stringify(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

function article(types: string): string {
  return types
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
}
