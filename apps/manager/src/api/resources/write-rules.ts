// What a caller may write through the API. The manager writes with its own identity once the caller's RBAC allowed
// the request, and that identity can do more than the caller: the admission policy of ADR 0004 does not bind it, and
// nothing stops it from touching finalizers or its own proofs. So the rules the policy keeps for everyone else are
// kept here, on the object as it would be written (after a patch is applied), before anything reaches the apiserver:
// - status is Keelson's alone (the API never writes the status subresource; a body that changes it is refused);
// - finalizers, ownerReferences and the manager's marks (webhook proof, idempotency) cannot be set or changed;
// - an execution's spec cannot change, except `stop` from false to true (the policy's own rule).
// The apiserver still validates the rest (schema, names) and answers 422 with the fields.
import type { KubeObject } from '@keelson/kube';
import { IDEMPOTENCY_LABEL, IDEMPOTENCY_REQUEST_ANNOTATION } from '../../executions/idempotency';
import { PIPELINE_LABEL } from '../../executions/execution-creator.service';
import type { FieldError } from '../problem/api-problem';
import { problemOf } from '../problem/problem-mapping';
import { deepEqual } from './json-patch';
import { HIDDEN_ANNOTATIONS, READ_ONLY_FIELDS } from './present';
import { EXECUTIONS, type ResourceDef } from './resource-kinds';

const PROTECTED_ANNOTATIONS: readonly string[] = [...HIDDEN_ANNOTATIONS, IDEMPOTENCY_REQUEST_ANNOTATION];

function protectedLabels(def: ResourceDef): readonly string[] {
  // Lists by pipeline and the run API's lookups trust these on executions.
  return def === EXECUTIONS ? [IDEMPOTENCY_LABEL, PIPELINE_LABEL] : [IDEMPOTENCY_LABEL];
}

const STATUS_IS_KEELSONS = 'status is written by Keelson only';
const SET_BY_KEELSON = 'is set by Keelson only';

/** A body as a client sent it: every part may be missing. */
export type Body = Omit<KubeObject, 'metadata'> & { metadata?: KubeObject['metadata']; status?: unknown; spec?: Record<string, unknown> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (...parts: string[]) => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function invalid(status: 400 | 422, errors: FieldError[]): never {
  throw problemOf(status, errors.map((e) => `${e.pointer || '(body)'}: ${e.detail}`).join('; '), { errors });
}

/**
 * The body names what the route names, or nothing: apiVersion, kind, namespace and (for PUT) name that disagree
 * with the path are refused (400), never silently followed. Returns the body as an object.
 */
export function checkAgainstRoute(def: ResourceDef, namespace: string, name: string | undefined, body: unknown): Body {
  if (!isObject(body)) invalid(400, [{ pointer: '', detail: `expected a ${def.kind} as a JSON object` }]);
  const errors: FieldError[] = [];
  if (body.apiVersion !== undefined && body.apiVersion !== def.apiVersion) errors.push({ pointer: '/apiVersion', detail: `expected ${def.apiVersion}, as the path says` });
  if (body.kind !== undefined && body.kind !== def.kind) errors.push({ pointer: '/kind', detail: `expected ${def.kind}, as the path says` });
  const metadata = body.metadata;
  if (metadata !== undefined && !isObject(metadata)) errors.push({ pointer: '/metadata', detail: 'expected an object' });
  if (isObject(metadata)) {
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) errors.push({ pointer: '/metadata/namespace', detail: `expected ${namespace}, as the path says` });
    if (name !== undefined && metadata.name !== undefined && metadata.name !== name) errors.push({ pointer: '/metadata/name', detail: `expected ${name}, as the path says` });
  }
  if (errors.length) invalid(400, errors);
  return body as Body;
}

/** A new object as the apiserver should get it, or 422 naming what a caller may not set. */
export function forCreate(def: ResourceDef, namespace: string, body: Body): KubeObject {
  const errors: FieldError[] = [];
  const metadata = { ...(body.metadata ?? {}) } as KubeObject['metadata'] & { managedFields?: unknown };
  if (body.status !== undefined) errors.push({ pointer: '/status', detail: STATUS_IS_KEELSONS });
  if (metadata.finalizers !== undefined) errors.push({ pointer: '/metadata/finalizers', detail: SET_BY_KEELSON });
  if (metadata.ownerReferences !== undefined) errors.push({ pointer: '/metadata/ownerReferences', detail: SET_BY_KEELSON });
  for (const k of PROTECTED_ANNOTATIONS) {
    if (isObject(metadata.annotations) && metadata.annotations[k] !== undefined) errors.push({ pointer: pointer('metadata', 'annotations', k), detail: SET_BY_KEELSON });
  }
  for (const k of protectedLabels(def)) {
    if (isObject(metadata.labels) && metadata.labels[k] !== undefined) errors.push({ pointer: pointer('metadata', 'labels', k), detail: SET_BY_KEELSON });
  }
  if (errors.length) invalid(422, errors);
  delete metadata.managedFields;
  return { ...withoutReadOnly(body), apiVersion: def.apiVersion, kind: def.kind, metadata: { ...metadata, namespace } };
}

/**
 * The object to PUT in place of `current`, conditional on current's resourceVersion (the caller's precondition,
 * already compared). What the caller never saw (hidden annotations) is carried over when the body leaves it out;
 * what the caller may not touch is carried over when a PUT body leaves it out, and refused (422) when the body
 * changes it, or when a patch (applied to everything the caller saw, so leaving out means removing) removes it.
 */
export function forUpdate(def: ResourceDef, current: KubeObject, desired: Body, { fromPatch = false } = {}): KubeObject {
  const errors: FieldError[] = [];
  const metadata = { ...(desired.metadata ?? {}) } as KubeObject['metadata'] & { managedFields?: unknown };
  const cur = current.metadata;

  for (const field of ['finalizers', 'ownerReferences'] as const) {
    if (metadata[field] === undefined) {
      if (cur[field] === undefined) continue;
      if (fromPatch) errors.push({ pointer: `/metadata/${field}`, detail: `${SET_BY_KEELSON} and cannot be removed` });
      (metadata as Record<string, unknown>)[field] = cur[field];
    } else if (!deepEqual(metadata[field], cur[field] ?? [])) {
      errors.push({ pointer: `/metadata/${field}`, detail: `${SET_BY_KEELSON} and cannot change` });
    }
  }
  metadata.annotations = carry('annotations', PROTECTED_ANNOTATIONS, metadata.annotations, cur.annotations, errors, fromPatch);
  metadata.labels = carry('labels', protectedLabels(def), metadata.labels, cur.labels, errors, fromPatch);

  const status = (current as Body).status;
  if (desired.status !== undefined && !deepEqual(desired.status, status)) errors.push({ pointer: '/status', detail: STATUS_IS_KEELSONS });

  let spec = desired.spec;
  if (def === EXECUTIONS) spec = executionSpec((current as Body).spec ?? {}, desired.spec, errors, fromPatch);

  if (errors.length) invalid(422, errors);
  delete metadata.managedFields;
  if (metadata.annotations === undefined) delete metadata.annotations;
  if (metadata.labels === undefined) delete metadata.labels;
  const { status: _status, ...rest } = withoutReadOnly(desired);
  return {
    ...rest, apiVersion: def.apiVersion, kind: def.kind, ...(spec !== undefined && { spec }),
    metadata: { ...metadata, namespace: cur.namespace, name: cur.name, resourceVersion: cur.resourceVersion },
  };
}

/** Protected keys: left out → kept as they are; given → must be what they are. */
function carry(
  field: 'annotations' | 'labels', keys: readonly string[], desired: Record<string, string> | undefined,
  current: Record<string, string> | undefined, errors: FieldError[], fromPatch: boolean,
): Record<string, string> | undefined {
  if (desired !== undefined && !isObject(desired)) return desired; // the apiserver names the type error
  let out = desired;
  for (const k of keys) {
    const want = desired?.[k];
    const have = current?.[k];
    if (want === undefined) {
      if (have === undefined) continue;
      // Hidden ones were never shown, so a patch cannot have meant to remove them.
      if (fromPatch && !HIDDEN_ANNOTATIONS.includes(k)) errors.push({ pointer: pointer('metadata', field, k), detail: `${SET_BY_KEELSON} and cannot be removed` });
      out = { ...(out ?? {}), [k]: have };
    } else if (want !== have) {
      errors.push({ pointer: pointer('metadata', field, k), detail: `${SET_BY_KEELSON} and cannot change` });
    }
  }
  return out;
}

/** An execution's spec is what it was created with; only `stop` may go from false to true. */
function executionSpec(current: Record<string, unknown>, desired: Record<string, unknown> | undefined, errors: FieldError[], fromPatch: boolean): Record<string, unknown> {
  if (desired !== undefined && !isObject(desired)) {
    errors.push({ pointer: '/spec', detail: 'expected an object' });
    return current;
  }
  const spec: Record<string, unknown> = { ...current };
  if (fromPatch) {
    for (const key of Object.keys(current)) {
      if (desired?.[key] === undefined) errors.push({ pointer: pointer('spec', key), detail: 'cannot be removed from an execution' });
    }
  }
  for (const [key, value] of Object.entries(desired ?? {})) {
    if (key === 'stop') {
      if (value !== current.stop && !(value === true && !current.stop)) errors.push({ pointer: '/spec/stop', detail: 'a stopped execution stays stopped: spec.stop goes from false to true only' });
    } else if (!deepEqual(value, current[key])) {
      errors.push({ pointer: pointer('spec', key), detail: `cannot change after the execution was created; only spec.stop may, from false to true` });
    }
    spec[key] = value;
  }
  return spec;
}

function withoutReadOnly(body: Body): Body {
  const copy = { ...body } as Record<string, unknown>;
  for (const f of READ_ONLY_FIELDS) delete copy[f];
  return copy as Body;
}
