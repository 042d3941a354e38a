// The OpenAPI 3.1 document of the REST API, generated from the controllers (@nestjs/swagger reads their routes and
// decorators) and completed from what the code enforces rather than from what a decorator claims: which routes need
// a bearer token and which RBAC rule (ApiAuthGuard, @RequiresAccess), and the problem answers every route of a kind
// can give. docs/openapi.json is a committed copy; a test fails when the two differ (`npm run openapi` writes it).
//
// A new route under /api/v1 joins the document by its decorators:
// - @UseGuards(ApiAuthGuard) and @RequiresAccess(...) as ever (security, 401/403/503 and x-keelson-access follow);
//   a route without a token instead takes @PublicRoute(reason), or the manager refuses to start;
// - @ApiTags(...) on the controller, @ApiOperation({ summary }) on the handler (the document test wants both);
// - @ApiQuery / @ApiHeader for each query parameter and request header it reads (@Param ones are found alone);
// - @ApiBody({ schema }) for a body, @ApiResponse / @ApiOkResponse / ... for each success answer, with schemas
//   from defineApiSchema(), resourceSchema(kind) or resourceListSchema(kind) (api-schemas.ts);
// - @ApiProblems(404, 409, ...) for the errors particular to it (400/413/415 for a body, 500 always, are added);
// - then calls in test/integration/api-contract.test.ts (ROUTES) and `npm run openapi`.
import { INestApplication } from '@nestjs/common';
import { ALL_KINDS } from '@keelson/crds';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { isNonResourceRequirement, KEELSON_API_GROUP } from '../auth/requires-access.decorator';
import { VERSION_INFO } from '../../version';
import { problemResponse, type ProblemStatus } from './api-problems';
import { apiRoutes, assertApiRoutesGuarded, type ApiRoute } from './api-routes';
import { apiSchemas } from './api-schemas';

export const API_BASE = '/api/v1';
export const OPENAPI_PATH = `${API_BASE}/openapi.json`;
export const BEARER_SCHEME = 'bearer';

type Json = Record<string, unknown>;
export interface OpenApiOperation extends Json {
  operationId: string;
  responses: Record<string, Json>;
  security?: Array<Record<string, string[]>>;
  requestBody?: Json;
  parameters?: Json[];
}
export interface OpenApiDocument extends Json {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head', 'trace'];
const BODY_METHODS = new Set(['post', 'put', 'patch']);

/**
 * Problem answers the document adds to every operation of a kind: a guarded route can refuse the token (401), the
 * RBAC check (403) or be unable to ask (503); a route that takes a body refuses a malformed (400), too large (413)
 * or non-JSON (415) one; and any route can fail (500).
 */
function commonProblems(route: ApiRoute, method: string): ProblemStatus[] {
  return [
    ...(route.guarded ? [401, 403, 503] as const : []),
    ...(BODY_METHODS.has(method) ? [400, 413, 415] as const : []),
    500,
  ];
}

const DESCRIPTION = [
  'The REST API of the Keelson manager (DESIGN.md §8).',
  '',
  'Every route but the OAuth callback takes a Kubernetes bearer token (`Authorization: Bearer <token>`, e.g. from',
  '`kubectl create token`): the manager authenticates it with a TokenReview and authorises each request with a',
  'SubjectAccessReview on exactly what it touches; `x-keelson-access` on an operation names the RBAC rule it needs.',
  'Every error is `application/problem+json` (RFC 9457) with a stable `type`; docs/api-errors.md lists them.',
].join('\n');

/** The document, from the routes of a created (not necessarily listening) application. */
export function buildOpenApiDocument(app: INestApplication): OpenApiDocument {
  const routes = apiRoutes(app);
  assertApiRoutesGuarded(routes);
  const generated = SwaggerModule.createDocument(app, new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Keelson API')
    .setDescription(DESCRIPTION)
    .setVersion(VERSION_INFO.version)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A Kubernetes bearer token: a ServiceAccount token or any token the cluster\'s authenticators accept.' }, BEARER_SCHEME)
    .build()) as unknown as OpenApiDocument;

  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const path of Object.keys(generated.paths).sort()) {
    if (!path.startsWith(`${API_BASE}/`)) continue;
    const item = generated.paths[path];
    for (const method of Object.keys(item).sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))) {
      const route = routes.find((r) => r.path === path && (r.method === method || r.method === 'all'));
      if (!route) throw new Error(`the OpenAPI document has ${method.toUpperCase()} ${path}, which no controller route matches`);
      const operation = completeOperation(item[method], route, method);
      for (const tag of (operation.tags as string[] | undefined) ?? []) tags.add(tag);
      (paths[path] ??= {})[method] = operation;
    }
  }
  const schemas = { ...generated.components?.schemas };
  for (const [name, schema] of Object.entries(apiSchemas())) {
    if (schemas[name]) throw new Error(`schema ${name} is both a decorated class and a defineApiSchema() schema`);
    schemas[name] = schema;
  }
  const { contact: _empty, ...info } = generated.info as Json;
  // A Kubernetes token is not necessarily a JWT (static tokens, OIDC, webhook authenticators).
  const { bearerFormat: _jwt, ...bearer } = generated.components.securitySchemes[BEARER_SCHEME];
  return toJsonSchema2020({
    openapi: '3.1.0',
    info,
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { [BEARER_SCHEME]: bearer },
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    },
  }) as OpenApiDocument;
}

function completeOperation(generated: OpenApiOperation, route: ApiRoute, method: string): OpenApiOperation {
  const responses: Record<string, Json> = { ...generated.responses };
  for (const status of commonProblems(route, method)) responses[status] ??= problemResponse(status);
  const { security: _claimed, ...operation } = generated;
  return {
    ...operation,
    ...(operation.parameters && { parameters: operation.parameters.map((p) => describePathParameter(p, route.path)) }),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    // What ApiAuthGuard enforces, whatever a decorator says: a token, or (@PublicRoute) none.
    security: route.guarded ? [{ [BEARER_SCHEME]: [] }] : [],
    ...(route.access && {
      'x-keelson-access': isNonResourceRequirement(route.access)
        ? { verb: route.access.verb, nonResourceURL: route.access.nonResourcePath }
        : {
          verb: route.access.verb, group: route.access.group ?? KEELSON_API_GROUP, resource: route.access.resource,
          ...(route.access.subresource && { subresource: route.access.subresource }),
        },
    }),
  };
}

const KIND_OF_PLURAL = new Map(ALL_KINDS.map((def) => [def.plural, def.kind]));

/** `ns` and `{name}` after a kind's plural say what they are, unless the route described them itself. */
function describePathParameter(parameter: Json, path: string): Json {
  if (parameter.in !== 'path' || parameter.description) return parameter;
  if (parameter.name === 'ns') return { ...parameter, description: 'The namespace (the project).' };
  const plural = new RegExp(`/([a-z]+)/\\{${parameter.name}\\}`).exec(path)?.[1];
  const kind = plural && KIND_OF_PLURAL.get(plural);
  return kind ? { ...parameter, description: `Name of the ${kind}.` } : parameter;
}

/**
 * OpenAPI 3.0's `nullable` is not JSON Schema; 3.1 says it with a type list. @nestjs/swagger writes 3.0 forms for a
 * property declared nullable; this rewrites them wherever they are.
 */
export function toJsonSchema2020(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema2020);
  if (!value || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as Json;
  // Only the keyword (a boolean); a property that happens to be named `nullable` is a schema, and stays.
  const out = Object.fromEntries(Object.entries(typeof nullable === 'boolean' ? rest : value as Json).map(([k, v]) => [k, toJsonSchema2020(v)]));
  if (nullable !== true) return out;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}
