// Writes crds/*.yaml from the TypeBox schemas in libs/crds/src (`npm run crds`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdFiles } from '../libs/crds/src';

const dir = join(__dirname, '..', 'crds');
mkdirSync(dir, { recursive: true });
for (const { file, yaml } of renderCrdFiles()) {
  writeFileSync(join(dir, file), yaml);
  process.stdout.write(`wrote crds/${file}\n`);
}
