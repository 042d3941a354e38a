import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrdFiles, ALL_KINDS } from '.';

const crdDir = join(__dirname, '..', '..', '..', 'crds');

describe('CRD generation', () => {
  it('matches the committed crds/*.yaml exactly (run `npm run crds` after changing a schema)', () => {
    const rendered = renderCrdFiles();
    expect(readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(rendered.map((r) => r.file).sort());
    for (const { file, yaml } of rendered) {
      expect({ file, yaml: readFileSync(join(crdDir, file), 'utf8') }).toEqual({ file, yaml });
    }
  });

  it('defines the six kinds of DESIGN.md, each namespaced with a status subresource and short names', () => {
    expect(ALL_KINDS.map((k) => k.kind)).toEqual([
      'SourceCodeProvider', 'SourceCodeCredential', 'SourceCodeRepository', 'PipelineSetting', 'Pipeline', 'PipelineExecution',
    ]);
    for (const { yaml } of renderCrdFiles()) {
      const crd = parse(yaml);
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
    }
  });

  it('leaves no TypeBox-only keywords that a structural schema refuses', () => {
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        expect({ path, key, ok: !['const', 'additionalProperties', '$id', 'oneOf'].includes(key) || path.endsWith('.properties') })
          .toEqual({ path, key, ok: true });
        walk(value, `${path}.${key}`);
      }
    };
    for (const { yaml } of renderCrdFiles()) walk(parse(yaml).spec.versions[0].schema, '');
  });

  it('prints pipeline, run, phase, branch, commit and age for executions', () => {
    const crd = parse(renderCrdFiles().find((r) => r.file.includes('pipelineexecutions'))!.yaml);
    const names = crd.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Pipeline', 'Run', 'Phase', 'Branch', 'Commit', 'Age']));
  });
});
