import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrdFiles, renderManifestFiles, renderAdmissionFile, ALL_KINDS, DEFAULT_MANAGER_USERNAME } from '.';

const crdDir = join(__dirname, '..', '..', '..', 'crds');

describe('CRD generation', () => {
  it('matches the committed crds/*.yaml exactly, admission policy included (run `npm run crds` after changing a schema)', () => {
    const rendered = renderManifestFiles();
    expect(rendered.map((r) => r.file)).toContain('devops.keelson.dev_admission.yaml');
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

  it('keeps the cache root and privileged builds out of PipelineSetting: no defaults, a rule naming the operator setting', () => {
    const crd = parse(renderCrdFiles().find((r) => r.file.includes('pipelinesettings'))!.yaml);
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    const root = spec.properties.cache.properties.root;
    expect(root.default).toBeUndefined();
    expect(spec.properties.cache.required).not.toContain('root');
    expect(root['x-kubernetes-validations'][0].message).toContain('CACHE_ROOT');
    expect(spec.properties.allowPrivileged.default).toBeUndefined();
    expect(spec.required).not.toContain('allowPrivileged');
    expect(spec.properties.allowPrivileged['x-kubernetes-validations'][0]).toMatchObject({ rule: '!self', message: expect.stringContaining('PRIVILEGED_BUILD_PROJECTS') });
  });
});

describe('execution admission policy', () => {
  const documents = (managerUsername?: string) => renderAdmissionFile(managerUsername).yaml.split(/^---$/m).map((d) => parse(d));

  it('exempts the manager identity it is rendered for, by default the keelson-manager ServiceAccount', () => {
    const [policy, binding] = documents();
    expect(policy.spec.matchConditions).toEqual([{ name: 'not-the-manager', expression: `request.userInfo.username != '${DEFAULT_MANAGER_USERNAME}'` }]);
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    expect(policy.spec.failurePolicy).toBe('Fail');
    const [other] = documents('system:serviceaccount:ci-tools:keelson');
    expect(other.spec.matchConditions[0].expression).toBe("request.userInfo.username != 'system:serviceaccount:ci-tools:keelson'");
  });

  it('escapes a manager name that would end the CEL string', () => {
    const [policy] = documents("it's\\me");
    expect(policy.spec.matchConditions[0].expression).toBe("request.userInfo.username != 'it\\'s\\\\me'");
  });

  it('leaves a requester only pipelineRef, branch, commit, stop, fork and trigger: every other spec field is the manager\'s', () => {
    const [policy] = documents();
    const managerFields = policy.spec.variables.find((v: { name: string }) => v.name === 'managerFields').expression as string;
    for (const field of ['repositoryUrl', 'config', 'configPath', 'run', 'tag', 'ref', 'author', 'title', 'message', 'htmlUrl']) {
      expect(managerFields).toContain(`'${field}'`);
    }
    for (const field of ['pipelineRef', 'branch', 'commit', 'stop', 'fork', 'trigger']) expect(managerFields.split('.filter')[0]).not.toContain(`'${field}'`);
  });

  it('matches the status subresource, so that status is the manager\'s alone', () => {
    const [policy] = documents();
    expect(policy.spec.matchConstraints.resourceRules[0].resources).toEqual(['pipelineexecutions', 'pipelineexecutions/status']);
  });
});
