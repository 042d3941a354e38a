// The OpenAPI description of the resource routes (openapi-document.ts says what a route carries): one set of
// decorators per operation of the template, filled in per kind, so the six kinds are described alike and as the
// code behaves (the query parameters parseListQuery reads, the preconditions etag.ts reads, the problems the
// service raises).
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EXECUTION_PHASES, TRIGGER_EVENTS } from '@keelson/crds';
import { ApiProblems, type ProblemStatus } from '../openapi/api-problems';
import { defineApiSchema, resourceListSchema, resourceSchema } from '../openapi/api-schemas';
import { DEFAULT_LIMIT, MAX_LIMIT } from './list-query';
import { EXECUTIONS, PIPELINES, type ListFilter, type ResourceDef } from './resource-kinds';

type Decorator = MethodDecorator & ClassDecorator;

const STRING = { type: 'string' };
const EVENT_STREAM = {
  'text/event-stream': {
    schema: {
      type: 'string',
      description: 'Server-Sent Events: SUBSCRIBED first, then ADDED / MODIFIED / DELETED with the object as data and its resourceVersion as id; ERROR (a v1 Status) before the server ends the stream; a comment line as heartbeat (docs/adr/0011-rest-api.md).',
    },
  },
};
const ETAG = { ETag: { description: 'The object\'s resourceVersion as an entity tag; send it back as If-Match.', required: true, schema: STRING } };

/** What DELETE answers when the object is gone at once (a Kubernetes v1 Status). */
const DELETED_STATUS = defineApiSchema('DeletedStatus', {
  type: 'object',
  description: 'The apiserver\'s v1 Status of a deletion completed at once; an object with finalizers answers itself instead, marked for deletion.',
  required: ['kind', 'status'],
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string', const: 'Status' }, status: { type: 'string' }, details: { type: 'object' } },
});

/** `POST pipelines` also takes `{repository, name?}`: a Pipeline for a repository the caller listed. */
const PIPELINE_FROM_REPOSITORY = defineApiSchema('PipelineFromRepository', {
  type: 'object',
  description: 'A Pipeline for one of your listed repositories; it clones with the credential that listed it.',
  required: ['repository'],
  properties: {
    repository: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'Name of a SourceCodeRepository of this namespace.' },
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'Name of the Pipeline; default from the repository\'s full name.' },
  },
  additionalProperties: false,
});

const JSON_PATCH_SCHEMA = defineApiSchema('JsonPatch', {
  type: 'array',
  description: 'A JSON patch (RFC 6902), applied to the object as the API shows it.',
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: { op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }, path: STRING, from: STRING, value: {} },
  },
});

const FILTERS: Record<ListFilter, { description: string; schema: Record<string, unknown>; watchable: boolean }> = {
  pipeline: { description: 'Only the executions of this Pipeline.', schema: { type: 'string', maxLength: 253 }, watchable: true },
  phase: { description: `Phases, separated by commas (${EXECUTION_PHASES.join(', ')}).`, schema: STRING, watchable: false },
  branch: { description: 'Only executions of this branch.', schema: { type: 'string', maxLength: 255 }, watchable: true },
  event: { description: 'Only executions started by this trigger.', schema: { type: 'string', enum: [...TRIGGER_EVENTS] }, watchable: true },
  user: { description: 'Only executions this user started (spec.trigger.user: manual runs and reruns).', schema: { type: 'string', minLength: 1, maxLength: 253 }, watchable: true },
  since: { description: 'Created at or after (RFC 3339).', schema: { type: 'string', format: 'date-time' }, watchable: false },
  until: { description: 'Created at or before (RFC 3339).', schema: { type: 'string', format: 'date-time' }, watchable: false },
  credential: { description: 'Only the repositories listed with this SourceCodeCredential.', schema: { type: 'string', maxLength: 63 }, watchable: true },
};

function tag(def: ResourceDef): Decorator {
  return ApiTags(`Resources: ${def.kind}`);
}

function problems(statuses: ProblemStatus[]): Decorator {
  return ApiProblems(...statuses);
}

/** The query of a list or watch: what parseListQuery takes for this kind. */
function listQuery(def: ResourceDef): Decorator {
  return applyDecorators(
    ApiQuery({ name: 'limit', required: false, description: 'Page size (not with watch).', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } }),
    ApiQuery({ name: 'continue', required: false, description: 'metadata.continue of the previous page (not with watch).', schema: { type: 'string', maxLength: 4096 } }),
    ApiQuery({ name: 'labelSelector', required: false, description: 'A Kubernetes label selector (=, ==, !=, in, notin, exists).', schema: { type: 'string', maxLength: 4096 } }),
    ...def.filters.map((name) => ApiQuery({
      name, required: false, description: `${FILTERS[name].description}${FILTERS[name].watchable ? '' : ' Not with watch.'}`, schema: FILTERS[name].schema,
    })),
    ApiQuery({ name: 'watch', required: false, description: 'true: stream the changes (Server-Sent Events) instead of a page.', schema: { type: 'string', enum: ['true', 'false', '1', '0'] } }),
    ApiQuery({ name: 'resourceVersion', required: false, description: 'A watch starts after this version (the list\'s metadata.resourceVersion) when no Last-Event-ID says where.', schema: { type: 'string', pattern: '^\\d{1,20}$' } }),
    ApiHeader({ name: 'Last-Event-ID', required: false, description: 'A watch resumes after this event id (what a browser sends when it reconnects).' }),
    ApiResponse({
      status: 200, description: 'A page of the list, or with watch=true its changes as an event stream.',
      content: { 'application/json': { schema: resourceListSchema(def.kind) }, ...EVENT_STREAM },
    }),
    problems([400, 410]),
  );
}

export const resourceDocs = {
  /** On each controller of a kind (namespaced and across namespaces): its tag. */
  controller(def: ResourceDef): Decorator {
    return tag(def);
  },

  list(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `List or watch ${def.plural} of a namespace`, description: `${def.kind} objects of the namespace, paged${def === EXECUTIONS ? ', newest first' : ''}${def === PIPELINES ? ', each with summary.lastExecution when you may list executions there' : ''}; or, with watch=true, their changes.` }),
      listQuery(def),
    );
  },

  create(def: ResourceDef): Decorator {
    const body = def === PIPELINES
      ? { schema: { oneOf: [resourceSchema(def.kind), PIPELINE_FROM_REPOSITORY] }, description: 'A Pipeline, or `{repository, name?}` for a Pipeline of one of your listed repositories (only the user whose credential listed it may).' }
      : { schema: resourceSchema(def.kind) };
    return applyDecorators(
      ApiOperation({
        summary: `Create a ${def.kind}`,
        description: def === EXECUTIONS
          ? 'Refused (405): an execution is made by running a pipeline, POST .../pipelines/{name}/run.'
          : `A new ${def.kind} in the namespace of the path; status is Keelson's and may not be set.`,
      }),
      ApiBody(body),
      // Executions: refused for good, so no success is documented.
      ...(def === EXECUTIONS ? [problems([405])] : [
        ApiResponse({ status: 201, description: 'Created.', headers: { ...ETAG, Location: { description: 'The path of the new object.', required: true, schema: STRING } }, schema: resourceSchema(def.kind) }),
        problems([404, 409, 422]),
      ]),
    );
  },

  get(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `Read a ${def.kind}`, description: 'The object, its resourceVersion as ETag.' }),
      ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag you hold: 304 while it is current.' }),
      ApiResponse({ status: 200, description: 'The object.', headers: ETAG, schema: resourceSchema(def.kind) }),
      ApiResponse({ status: 304, description: 'Not modified: the ETag sent is current.', headers: ETAG }),
      problems([400, 404]),
    );
  },

  replace(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `Replace a ${def.kind}`, description: 'The whole object, conditional on the resourceVersion you read (If-Match or metadata.resourceVersion); status and protected metadata are carried over.' }),
      ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read ("<resourceVersion>") or *; or metadata.resourceVersion in the body.' }),
      ApiBody({ schema: resourceSchema(def.kind) }),
      ApiResponse({ status: 200, description: 'Replaced.', headers: ETAG, schema: resourceSchema(def.kind) }),
      problems([404, 409, 422, 428]),
    );
  },

  patch(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `Patch a ${def.kind}`, description: 'A JSON merge patch (RFC 7396) or a JSON patch (RFC 6902), applied to the object as the API shows it and checked as a whole; conditional when If-Match is sent.' }),
      ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: 409 if the object has changed since.' }),
      ApiConsumes('application/merge-patch+json', 'application/json-patch+json'),
      ApiBody({ schema: { anyOf: [{ type: 'object' }, JSON_PATCH_SCHEMA] } }),
      ApiResponse({ status: 200, description: 'Patched.', headers: ETAG, schema: resourceSchema(def.kind) }),
      problems([404, 409, 422]),
    );
  },

  remove(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `Delete a ${def.kind}`, description: 'Conditional on If-Match when sent.' }),
      ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: 409 if the object has changed since.' }),
      ApiResponse({ status: 200, description: 'Deleted, or marked for deletion (then the object).', schema: { anyOf: [resourceSchema(def.kind), DELETED_STATUS] } }),
      problems([400, 404, 409]),
    );
  },

  clusterList(def: ResourceDef): Decorator {
    return applyDecorators(
      ApiOperation({ summary: `List or watch ${def.plural} across namespaces`, description: 'Every namespace you may list them in; the others holding some are named in metadata.omittedNamespaces.' }),
      listQuery(def),
    );
  },
};
