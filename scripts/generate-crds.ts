// Writes crds/*.yaml from the TypeBox schemas in libs/crds/src (`npm run crds`): the CRDs and the admission
// policy of executions, and the same objects as the Helm chart's templates (charts/keelson/templates/crds).
// `npm run crds -- --manager-username <name> --out <dir>` renders the policy for another manager identity into
// another directory; `--chart-out ''` skips the chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MANAGER_USERNAME, renderManifestFiles, type RenderedFile } from '../libs/crds/src';
import { MANAGER_USERNAME_PLACEHOLDER, chartCrdTemplate } from './chart-crd-templates';

const { values } = parseArgs({
  options: {
    'manager-username': { type: 'string', default: DEFAULT_MANAGER_USERNAME },
    out: { type: 'string', default: join(__dirname, '..', 'crds') },
    'chart-out': { type: 'string', default: join(__dirname, '..', 'charts', 'keelson', 'templates', 'crds') },
  },
});

function writeAll(dir: string, files: RenderedFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const { file, yaml } of files) {
    writeFileSync(join(dir, file), yaml);
    process.stdout.write(`wrote ${join(dir, file)}\n`);
  }
}

writeAll(resolve(values.out!), renderManifestFiles({ managerUsername: values['manager-username'] }));
if (values['chart-out']) {
  writeAll(resolve(values['chart-out']), renderManifestFiles({ managerUsername: MANAGER_USERNAME_PLACEHOLDER }).map(chartCrdTemplate));
}
