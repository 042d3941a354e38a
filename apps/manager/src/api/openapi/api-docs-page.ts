// The browsable API page: Swagger UI from the installed swagger-ui-dist package (no CDN), started by a small script
// file of ours rather than an inline one, so the page runs under a Content-Security-Policy that allows only scripts
// and styles from the manager itself.
import { dirname, join } from 'node:path';
import { API_BASE, OPENAPI_PATH } from './openapi-document';

export const DOCS_PATH = `${API_BASE}/docs`;
const INITIALIZER = 'keelson-docs.js';

/** No inline script or style, nothing from elsewhere; images may be data: URIs (Swagger UI's CSS icons). */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Keelson API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/${INITIALIZER}"></script>
</body>
</html>
`;

/** Swagger UI on our document; no validator badge (it would call validator.swagger.io). */
const INITIALIZER_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
  });
});
`;

export interface DocsAsset {
  contentType: string;
  /** A file of swagger-ui-dist, or our own text. */
  file?: string;
  text?: string;
}

const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The only files the page loads; any other name is 404. */
export const DOCS_ASSETS: Readonly<Record<string, DocsAsset>> = {
  'swagger-ui.css': { contentType: 'text/css; charset=utf-8', file: join(SWAGGER_UI_DIR, 'swagger-ui.css') },
  'swagger-ui-bundle.js': { contentType: 'text/javascript; charset=utf-8', file: join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js') },
  'favicon-32x32.png': { contentType: 'image/png', file: join(SWAGGER_UI_DIR, 'favicon-32x32.png') },
  [INITIALIZER]: { contentType: 'text/javascript; charset=utf-8', text: INITIALIZER_SCRIPT },
};
