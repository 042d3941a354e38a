// The OpenAPI document without a running manager: the application's module graph in Nest's preview mode (no provider
// made, nothing connected), for `npm run openapi` and the test that compares the committed copy.
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, MANAGER_VARIABLES } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { AppModule } from '../../app.module';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';

/** Where the committed copy lives, from the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** The manager's application, created in preview mode. */
export async function previewApp(): Promise<INestApplication> {
  // Never asked: preview mode makes no provider, so this client is never used.
  const kube = new KubeClient({ server: 'https://127.0.0.1:1', token: 'unused' });
  return NestFactory.create(AppModule.forRoot({ config: loadConfig(MANAGER_VARIABLES, {}), kube, logger: silentLogger }), {
    preview: true, logger: false, abortOnError: false,
  });
}

export async function generateOpenApiDocument(): Promise<OpenApiDocument> {
  const app = await previewApp();
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The committed file's text: two-space JSON and a final newline, so a diff shows exactly what changed. */
export function renderOpenApiFile(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
