// GET /api/v1/openapi.json and the browsable page at /api/v1/docs. Both public, as the document holds no data;
// each handler says so with @PublicRoute, and nothing else here answers without a token.
import { Controller, Get, INestApplication, Injectable, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../auth/public-route.decorator';
import { problemOf } from '../problem/problem-mapping';
import { DOCS_ASSETS, DOCS_CONTENT_SECURITY_POLICY, DOCS_PAGE } from './api-docs-page';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';

/** The document the manager serves, built once at boot from the application's own routes. */
@Injectable()
export class ApiDocs {
  private json?: string;

  publish(document: OpenApiDocument): void {
    this.json = JSON.stringify(document);
  }

  /** The document as JSON text; a problem until installApiDocs ran. */
  text(): string {
    if (this.json === undefined) throw problemOf(503, 'the API document is not built yet');
    return this.json;
  }
}

/** Builds the document from the created application (refusing an unguarded /api route) and publishes it. */
export function installApiDocs(app: INestApplication): void {
  app.get(ApiDocs).publish(buildOpenApiDocument(app));
}

const PUBLIC_DOCS = 'the API description is public: it holds no data';

@ApiExcludeController()
@Controller('api/v1')
export class ApiDocsController {
  constructor(private readonly docs: ApiDocs) {}

  @Get('openapi.json')
  @PublicRoute(PUBLIC_DOCS)
  openapi(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(this.docs.text());
  }

  @Get('docs')
  @PublicRoute(PUBLIC_DOCS)
  page(@Res() res: Response): void {
    secureHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(DOCS_PAGE);
  }

  @Get('docs/:asset')
  @PublicRoute(PUBLIC_DOCS)
  asset(@Param('asset') name: string, @Res() res: Response): void {
    const asset = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
    if (!asset) throw problemOf(404, `no such file of the API page: ${name.slice(0, 100)}`);
    secureHeaders(res);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(asset.contentType);
    if (asset.text !== undefined) res.send(asset.text);
    else res.sendFile(asset.file!);
  }
}

function secureHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
