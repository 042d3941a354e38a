import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiAuthGuard, ApiAuthService, PublicRoute, RequiresAccess } from '../auth';
import { generateOpenApiDocument, OPENAPI_FILE, previewApp, renderOpenApiFile } from './document-app';
import { buildOpenApiDocument, toJsonSchema2020, type OpenApiDocument } from './openapi-document';
import { apiRoutes, type ApiRoute } from './api-routes';
import { OpenApiValidator, schemasOf } from './testing/openapi-validator';

const REPO = join(__dirname, '..', '..', '..', '..', '..');
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
/** The only routes under /api that answer without a token, and why. */
const PUBLIC_ROUTES = [
  'GET /api/v1/oauth/callback', 'GET /api/v1/openapi.json', 'GET /api/v1/docs', 'GET /api/v1/docs/{asset}',
  // The console's sign-in: its caller has no token yet.
  'GET /api/v1/auth/config', 'GET /api/v1/auth/oidc/login', 'GET /api/v1/auth/oidc/callback',
];

let document: OpenApiDocument;
let validator: OpenApiValidator;

beforeAll(async () => {
  document = await generateOpenApiDocument();
  validator = new OpenApiValidator(document);
});

const operations = () => Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI document', () => {
  it('is the committed docs/openapi.json: a contract change is deliberate (run `npm run openapi` and commit the file)', () => {
    const committed = readFileSync(join(REPO, OPENAPI_FILE), 'utf8').split('\n');
    const generated = renderOpenApiFile(document).split('\n');
    const found = generated.findIndex((text, i) => text !== committed[i]);
    const line = found === -1 ? generated.length : found;
    // One line of difference says enough; the whole 100 KB diff would not.
    const drift = found === -1 && generated.length === committed.length ? undefined
      : `${OPENAPI_FILE} differs from the code's document at line ${line + 1}: committed ${JSON.stringify(committed[line])}, generated ${JSON.stringify(generated[line])}. Run \`npm run openapi\` and commit the file if the change is meant.`;
    expect(drift).toBeUndefined();
  });

  it('is OpenAPI 3.1 with the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Keelson API', version: pkg.version });
    expect(document.components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
  });

  it('holds only JSON Schema 2020-12 schemas whose every $ref resolves (ajv strict: no 3.0 nullable, no unknown format)', () => {
    const failures = schemasOf(document).flatMap(({ where, schema }) => {
      try {
        validator.compile(schema);
        return [];
      } catch (err) {
        return [`${where}: ${(err as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
    expect(schemasOf(document).length).toBeGreaterThan(50);
  });

  it('describes each operation: a summary, a unique operationId, a tag, a success answer (or 405) and declared path parameters', () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const at = `${method.toUpperCase()} ${path}`;
      expect({ at, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({ at, summary: true });
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      expect({ at, tags: (op.tags as string[] | undefined)?.length ?? 0 }).toEqual({ at, tags: 1 });
      // A method a route refuses for good (405, e.g. POST pipelineexecutions: executions are made by the run route) has none.
      const success = Object.keys(op.responses).some((s) => /^[23]\d\d$/.test(s)) || Object.keys(op.responses).includes('405');
      expect({ at, success }).toEqual({ at, success: true });
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect({ at, params: declared }).toEqual({ at, params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort() });
    }
  });

  it('answers every error as application/problem+json with the shared Problem schema', () => {
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect({ at: `${method} ${path} ${status}`, content: response.content }).toEqual({
          at: `${method} ${path} ${status}`, content: { 'application/problem+json': { schema: PROBLEM_REF } },
        });
      }
    }
  });

  it('asks for the bearer token, and documents 401, 403 and 503, exactly where ApiAuthGuard guards; every operation can answer 500', () => {
    for (const { path, method, op } of operations()) {
      const at = `${method.toUpperCase()} ${path}`;
      const guarded = !PUBLIC_ROUTES.includes(at);
      expect({ at, security: op.security }).toEqual({ at, security: guarded ? [{ bearer: [] }] : [] });
      const documented = ['401', '403', '503'].filter((s) => s in op.responses);
      if (guarded) expect({ at, documented }).toEqual({ at, documented: ['401', '403', '503'] });
      else expect({ at, documented: documented.filter((s) => s !== '503') }).toEqual({ at, documented: [] });
      expect(op.responses['500']).toBeDefined();
      // A resource rule, or (the debug endpoints) a non-resource URL.
      if (guarded) expect([expect.objectContaining({ verb: expect.any(String), resource: expect.any(String) }), expect.objectContaining({ verb: expect.any(String), nonResourceURL: expect.stringMatching(/^\//) })]).toContainEqual(op['x-keelson-access']);
    }
  });

  it('documents 400, 413 and 415 on every operation that takes a body', () => {
    for (const { path, method, op } of operations()) {
      if (!['post', 'put', 'patch'].includes(method)) continue;
      for (const status of ['400', '413', '415']) expect(`${method} ${path} ${status} ${status in op.responses}`).toBe(`${method} ${path} ${status} true`);
    }
  });

  it('takes Keelson\'s resources from the CRD schemas, not retyped', () => {
    const pipeline = document.components.schemas.Pipeline as { properties: Record<string, unknown>; required: string[] };
    expect(pipeline.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(pipeline.properties.spec).toMatchObject({ properties: { repositoryUrl: { type: 'string' } } });
    expect(validator.validate({ $ref: '#/components/schemas/Pipeline' }, {
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web' },
      spec: { repositoryUrl: 'https://git.example.com/a/b.git', configPath: '.devops.yml', suspend: false },
    })).toEqual([]);
    expect(validator.validate({ $ref: '#/components/schemas/Pipeline' }, {
      apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name: 'web' }, spec: { configPath: '.devops.yml', suspend: false },
    })).toEqual([expect.stringContaining('repositoryUrl')]);
  });
});

describe('the routes under /api', () => {
  let routes: ApiRoute[];

  beforeAll(async () => {
    const app = await previewApp();
    routes = apiRoutes(app);
    await app.close();
  });

  it('are guarded by ApiAuthGuard, but for the few marked @PublicRoute', () => {
    const api = routes.filter((r) => r.path.startsWith('/api/'));
    expect(api.filter((r) => !r.guarded).map((r) => `${r.method.toUpperCase()} ${r.path}`).sort()).toEqual([...PUBLIC_ROUTES].sort());
    expect(api.filter((r) => !r.guarded).every((r) => (r.publicReason ?? '').length > 20)).toBe(true);
  });

  it('are all in the document, but the document\'s own page', () => {
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const missing = routes.filter((r) => r.path.startsWith('/api/') && !documented.has(`${r.method.toUpperCase()} ${r.path}`)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing.sort()).toEqual(['GET /api/v1/docs', 'GET /api/v1/docs/{asset}', 'GET /api/v1/openapi.json']);
  });
});

@Controller('api/v1/forgotten')
class ForgottenController {
  @Get()
  @RequiresAccess({ verb: 'list', resource: 'pipelines' })
  list(): unknown[] {
    return [];
  }
}

@Controller('api/v1/confused')
@UseGuards(ApiAuthGuard)
class ConfusedController {
  @Get()
  @PublicRoute('a route cannot be both guarded and public at once')
  get(): unknown[] {
    return [];
  }
}

describe('buildOpenApiDocument', () => {
  it.each([
    ['without a guard or @PublicRoute', ForgottenController, 'GET /api/v1/forgotten (ForgottenController.list) has neither @UseGuards(ApiAuthGuard) nor @PublicRoute(reason)'],
    ['both guarded and @PublicRoute', ConfusedController, 'GET /api/v1/confused (ConfusedController.get) is guarded and marked @PublicRoute at once'],
  ])('refuses an /api route %s, which would stop the manager\'s boot', async (_what, controller, message) => {
    @Module({ controllers: [controller], providers: [{ provide: ApiAuthService, useValue: {} }] })
    class TestModule {}
    const app = await NestFactory.create(TestModule, { preview: true, logger: false, abortOnError: false });
    expect(() => buildOpenApiDocument(app)).toThrow(message);
    await app.close();
  });
});

describe('toJsonSchema2020', () => {
  it('rewrites OpenAPI 3.0\'s nullable as a type list, and leaves a property named nullable alone', () => {
    expect(toJsonSchema2020({ type: 'object', properties: { a: { type: 'string', nullable: true }, nullable: { type: 'boolean' }, b: { $ref: '#/x', nullable: true } } })).toEqual({
      type: 'object', properties: { a: { type: ['string', 'null'] }, nullable: { type: 'boolean' }, b: { anyOf: [{ $ref: '#/x' }, { type: 'null' }] } },
    });
  });
});
