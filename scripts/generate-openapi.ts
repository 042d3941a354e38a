// Writes docs/openapi.json from the controllers: `npm run openapi`, after a change of the API that is meant.
// A unit test (apps/manager/src/api/openapi/openapi-document.spec.ts) fails while the committed copy differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiDocument, OPENAPI_FILE, renderOpenApiFile } from '../apps/manager/src/api/openapi/document-app';

generateOpenApiDocument().then((document) => {
  writeFileSync(join(__dirname, '..', OPENAPI_FILE), renderOpenApiFile(document));
  process.stdout.write(`wrote ${OPENAPI_FILE}: ${Object.keys(document.paths).length} paths\n`);
}).catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
