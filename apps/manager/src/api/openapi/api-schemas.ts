// The named schemas of the OpenAPI document (`components.schemas`). A route's module defines what its bodies and
// answers look like with defineApiSchema() next to the code that reads or writes them, and uses the $ref it returns
// in its decorators; the document builder takes every schema defined here. Keelson's resources come from the CRD
// schema source (libs/crds), never retyped: what the apiserver validates is what the document promises.
import { ALL_KINDS, API_VERSION, customResourceDefinition } from '@keelson/crds';
import { FIELD_ERROR_SCHEMA, PROBLEM_SCHEMA } from '../problem/problem.schema';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1), as plain JSON. */
export type JsonSchema = Record<string, unknown>;
export interface SchemaRef {
  $ref: string;
}

const SCHEMAS = new Map<string, JsonSchema>();
const REF_PREFIX = '#/components/schemas/';

/** Registers a named schema and returns its $ref. Defining one name twice with another schema is a programming error. */
export function defineApiSchema(name: string, schema: JsonSchema): SchemaRef {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`API schema name ${JSON.stringify(name)} is not a valid component name`);
  const known = SCHEMAS.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`API schema ${name} is defined twice, differently`);
  SCHEMAS.set(name, schema);
  return schemaRef(name);
}

/** The $ref of a named schema; the document test fails on a $ref to a name nobody defined. */
export function schemaRef(name: string): SchemaRef {
  return { $ref: `${REF_PREFIX}${name}` };
}

/** Every schema defined so far, by name, sorted (the committed document must not depend on import order). */
export function apiSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries([...SCHEMAS.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export const PROBLEM = defineApiSchema('Problem', PROBLEM_SCHEMA);
defineApiSchema('FieldError', FIELD_ERROR_SCHEMA);

/** The metadata every object carries (Kubernetes ObjectMeta): what a client reads; the apiserver sets most of it. */
export const OBJECT_META = defineApiSchema('ObjectMeta', {
  type: 'object',
  description: 'Kubernetes object metadata (ObjectMeta). resourceVersion is the ETag: send it back on PUT and PATCH.',
  properties: {
    name: { type: 'string', maxLength: 253 },
    generateName: { type: 'string' },
    namespace: { type: 'string', maxLength: 63 },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object' } },
  },
});

/** The metadata of a list (Kubernetes ListMeta): `continue` pages on, with the apiserver's own token. */
export const LIST_META = defineApiSchema('ListMeta', {
  type: 'object',
  description: 'Kubernetes list metadata (ListMeta). A non-empty continue token asks for the next page with ?continue=.',
  properties: {
    resourceVersion: { type: 'string' },
    continue: { type: 'string' },
    remainingItemCount: { type: 'integer' },
  },
});

const KINDS = new Set(ALL_KINDS.map((def) => def.kind));

for (const def of ALL_KINDS) {
  const crd = customResourceDefinition(def) as { spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema & { properties: JsonSchema } } }> } };
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  defineApiSchema(def.kind, {
    ...schema,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      ...schema.properties,
      apiVersion: { type: 'string', const: API_VERSION },
      kind: { type: 'string', const: def.kind },
      metadata: OBJECT_META,
    },
  });
  defineApiSchema(`${def.kind}List`, {
    type: 'object',
    description: `A page of ${def.kind} objects.`,
    required: ['apiVersion', 'kind', 'metadata', 'items'],
    properties: {
      apiVersion: { type: 'string', const: API_VERSION },
      kind: { type: 'string', const: `${def.kind}List` },
      metadata: LIST_META,
      items: { type: 'array', items: schemaRef(def.kind) },
    },
  });
}

/** The schema of one of Keelson's kinds (from the CRD), e.g. resourceSchema('Pipeline'). */
export function resourceSchema(kind: string): SchemaRef {
  if (!KINDS.has(kind)) throw new Error(`${kind} is not one of Keelson's kinds (${[...KINDS].join(', ')})`);
  return schemaRef(kind);
}

/** The schema of a page of one kind, as the apiserver lists it: `{apiVersion, kind: <Kind>List, metadata, items}`. */
export function resourceListSchema(kind: string): SchemaRef {
  resourceSchema(kind);
  return schemaRef(`${kind}List`);
}
