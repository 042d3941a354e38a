// Regenerates schemas/devops.schema.json from DEVOPS_SCHEMA.
// Run: node -r @swc-node/register libs/pipeline-config/scripts/write-schema.ts
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEVOPS_SCHEMA_PATH, renderDevopsSchema } from '../src/devops-schema';

const target = resolve(__dirname, '../../..', DEVOPS_SCHEMA_PATH);
writeFileSync(target, renderDevopsSchema());
process.stdout.write(`wrote ${target}\n`);
