// After tsc: make `@keelson/<lib>` resolvable inside dist/ by plain Node, the way tsconfig paths and jest's
// moduleNameMapper resolve it in the sources: dist/node_modules/@keelson/<lib> -> dist/libs/<lib>/src.
const { mkdirSync, readdirSync, rmSync, symlinkSync, existsSync } = require('node:fs');
const { join, relative } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const scope = join(dist, 'node_modules', '@keelson');
rmSync(scope, { recursive: true, force: true });
mkdirSync(scope, { recursive: true });
for (const lib of readdirSync(join(dist, 'libs'))) {
  const target = join(dist, 'libs', lib, 'src');
  if (existsSync(join(target, 'index.js'))) symlinkSync(relative(scope, target), join(scope, lib), 'dir');
}
