import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MANAGER_USERNAME, renderManifestFiles } from '../libs/crds/src';
import { MANAGER_USERNAME_PLACEHOLDER, chartCrdTemplate } from './chart-crd-templates';

const templateDir = join(__dirname, '..', 'charts', 'keelson', 'templates', 'crds');

describe('chart CRD templates', () => {
  it('match the committed charts/keelson/templates/crds exactly (run `npm run crds` after changing a schema)', () => {
    const rendered = renderManifestFiles({ managerUsername: MANAGER_USERNAME_PLACEHOLDER }).map(chartCrdTemplate);
    expect(readdirSync(templateDir).sort()).toEqual(rendered.map((r) => r.file).sort());
    for (const { file, yaml } of rendered) {
      expect({ file, yaml: readFileSync(join(templateDir, file), 'utf8') }).toEqual({ file, yaml });
    }
  });

  it('wraps each file in crds.enabled and labels and annotates every object of it', () => {
    const admission = chartCrdTemplate(renderManifestFiles({ managerUsername: MANAGER_USERNAME_PLACEHOLDER }).find((f) => f.file.endsWith('_admission.yaml'))!);
    expect(admission.yaml).toMatch(/^\{\{- \/\*.*\*\/\}\}\n\{\{- if \.Values\.crds\.enabled \}\}\n/);
    expect(admission.yaml.endsWith('{{- end }}\n')).toBe(true);
    expect(admission.yaml.match(/helm\.sh\/resource-policy: keep/g)).toHaveLength(2);
    expect(admission.yaml.match(/include "keelson\.labels"/g)).toHaveLength(2);
    expect(admission.yaml).toContain(`request.userInfo.username != 'system:serviceaccount:{{ .Release.Namespace }}:{{ include "keelson.serviceAccountName" . }}'`);
    expect(admission.yaml).not.toContain('KEELSON-');
    expect(admission.yaml).not.toMatch(/^#/m);
  });

  it('prints {{ and }} of a description back literally instead of running them', () => {
    const { yaml } = chartCrdTemplate({ file: 'x.yaml', yaml: 'kind: X\nmetadata:\n  name: x\ndescription: use {{ .name }} here\n' });
    expect(yaml).toContain('description: use {{ "{{" }} .name {{ "}}" }} here');
  });

  it('refuses a file rendered for the default manager identity, and one without a metadata name to label', () => {
    expect(() => chartCrdTemplate({ file: 'a.yaml', yaml: `expression: '${DEFAULT_MANAGER_USERNAME}'\n` })).toThrow(/MANAGER_USERNAME_PLACEHOLDER/);
    expect(() => chartCrdTemplate({ file: 'b.yaml', yaml: 'kind: X\nspec: {}\n' })).toThrow(/no "metadata:/);
  });
});
