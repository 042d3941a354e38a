// Writes crds/*.yaml from the TypeBox schemas in libs/crds/src (`npm run crds`): the CRDs and the admission
// policy of executions. `npm run crds -- --manager-username <name> --out <dir>` renders the policy for another
// manager identity (a chart installing the manager elsewhere) into another directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MANAGER_USERNAME, renderManifestFiles } from '../libs/crds/src';

const { values } = parseArgs({
  options: {
    'manager-username': { type: 'string', default: DEFAULT_MANAGER_USERNAME },
    out: { type: 'string', default: join(__dirname, '..', 'crds') },
  },
});
const dir = resolve(values.out!);
mkdirSync(dir, { recursive: true });
for (const { file, yaml } of renderManifestFiles({ managerUsername: values['manager-username'] })) {
  writeFileSync(join(dir, file), yaml);
  process.stdout.write(`wrote ${join(dir, file)}\n`);
}
