import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function packageVersion(): string {
  // src/version.ts and dist/apps/manager/src/version.js both find package.json by walking up.
  for (let dir = __dirname; dir !== join(dir, '..'); dir = join(dir, '..')) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'keelson') return pkg.version;
    } catch {
      // keep walking
    }
  }
  return '0.0.0';
}

export const VERSION_INFO = {
  name: 'keelson-manager',
  // The image sets KEELSON_VERSION from its build argument VERSION (Dockerfile); a source checkout reads package.json.
  version: process.env.KEELSON_VERSION || packageVersion(),
  gitCommit: process.env.KEELSON_GIT_COMMIT ?? 'unknown',
  node: process.version,
};
