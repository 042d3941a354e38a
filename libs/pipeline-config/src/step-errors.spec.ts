import { lintErrors, oneStep } from './pipeline-config.fixtures';

// oneStep puts the step on line 4, column 5; nested keys start on line 5.
describe('step errors name the file, line and column and what was expected', () => {
  it.each<[string, string, string]>([
    ['a step with no type', 'env: {A: b}', 'p.yml:4:5: stages[0].steps[0]: expected exactly one of runScriptConfig, publishImageConfig, applyYamlConfig, applyAppConfig, publishCatalogConfig, approval; found none'],
    ['a step with two types', 'runScriptConfig: {image: x}\napproval: {message: m}', 'p.yml:4:5: stages[0].steps[0]: expected exactly one of runScriptConfig, publishImageConfig, applyYamlConfig, applyAppConfig, publishCatalogConfig, approval; found runScriptConfig and approval'],
    ['an unknown step key', 'runScriptConfig: {image: x}\nprivilege: true', 'p.yml:5:5: unknown key "privilege" in stages[0].steps[0]; expected one of: name, runScriptConfig, publishImageConfig, applyYamlConfig, applyAppConfig, publishCatalogConfig, approval, env, envFrom, resources, cpuRequest, cpuLimit, memoryRequest, memoryLimit, privileged, timeout, retry, when, cache'],
    ['a script without image', 'runScriptConfig: {shellScript: ls}', 'p.yml:4:5: stages[0].steps[0].runScriptConfig is missing the required key "image"'],
    ['a misspelt script key', 'runScriptConfig: {image: x, shellscript: ls}', 'p.yml:4:33: unknown key "shellscript" in stages[0].steps[0].runScriptConfig; expected one of: image, shellScript'],
    ['an empty image', 'runScriptConfig: {image: ""}', 'p.yml:4:30: stages[0].steps[0].runScriptConfig.image: expected a non-empty string'],
    ['a remote push without registry', 'publishImageConfig: {pushRemote: true}', 'p.yml:4:5: stages[0].steps[0].publishImageConfig is missing the required key "registry"'],
    ['a string pushRemote', 'publishImageConfig: {pushRemote: "yes"}', 'p.yml:4:38: stages[0].steps[0].publishImageConfig.pushRemote: expected true or false, got the string "yes"'],
    ['applyYaml with both path and content', 'applyYamlConfig: {path: a, content: b}', 'p.yml:4:5: stages[0].steps[0].applyYamlConfig: expected exactly one of path, content; found path and content'],
    ['applyYaml with neither', 'applyYamlConfig: {namespace: ns}', 'p.yml:4:5: stages[0].steps[0].applyYamlConfig: expected exactly one of path, content; found none'],
    ['an invalid namespace', 'applyYamlConfig: {path: a, namespace: Prod_NS}', 'p.yml:4:43: stages[0].steps[0].applyYamlConfig.namespace: "Prod_NS" does not match ^([a-z0-9]|\\$\\{CICD_[A-Z0-9_]+\\})([-a-z0-9]|\\$\\{CICD_[A-Z0-9_]+\\})*$'],
    ['a Helm step without release', 'applyAppConfig: {chart: c}', 'p.yml:4:5: stages[0].steps[0].applyAppConfig: expected exactly one of releaseName, name; found none'],
    ['Helm values that are not a mapping', 'applyAppConfig: {chart: c, releaseName: r, values: [1]}', 'p.yml:4:56: stages[0].steps[0].applyAppConfig.values: expected a mapping, got a list'],
    ['a catalog step without gitUrl', 'publishCatalogConfig: {path: p, catalogTemplate: t, version: "1", gitBranch: main}', 'p.yml:4:5: stages[0].steps[0].publishCatalogConfig is missing the required key "gitUrl"'],
    ['an approval without message', 'approval: {users: [a]}', 'p.yml:4:5: stages[0].steps[0].approval is missing the required key "message"'],
    ['approvers given as a string', 'approval: {message: m, users: alice}', 'p.yml:4:35: stages[0].steps[0].approval.users: expected a list, got the string "alice"'],
    ['an env value that is a mapping', 'runScriptConfig: {image: x}\nenv: {A: {b: c}}', 'p.yml:5:14: stages[0].steps[0].env.A: expected a string or a number or true or false, got a mapping'],
    ['an env name with a space', 'runScriptConfig: {image: x}\nenv: {"A B": c}', 'p.yml:5:11: "A B" in stages[0].steps[0].env is not a valid variable name; expected letters, digits and _, not starting with a digit'],
    ['envFrom without sourceKey', 'runScriptConfig: {image: x}\nenvFrom: [{sourceName: s}]', 'p.yml:5:15: stages[0].steps[0].envFrom[0] is missing the required key "sourceKey"'],
    ['envFrom in Kubernetes style', 'runScriptConfig: {image: x}\nenvFrom: [{secretRef: s, sourceName: s, sourceKey: k}]', 'p.yml:5:16: unknown key "secretRef" in stages[0].steps[0].envFrom[0]; expected one of: sourceName, sourceKey, targetKey'],
    ['a bad quantity', 'runScriptConfig: {image: x}\nresources: {memoryLimit: 1GB}', 'p.yml:5:30: stages[0].steps[0].resources.memoryLimit: "1GB" is not a quantity; expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi'],
    ['a bad quantity in the Kubernetes shape', 'runScriptConfig: {image: x}\nresources: {limits: {cpu: "2 cores"}}', 'p.yml:5:31: stages[0].steps[0].resources.limits.cpu: "2 cores" is not a quantity; expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi'],
    ['a quantity that would break out of the pod YAML', 'runScriptConfig: {image: x}\nresources: {requests: {memory: "1Gi\\n  evil: true"}}', 'p.yml:5:36: stages[0].steps[0].resources.requests.memory: "1Gi\\n  evil: true" is not a quantity; expected a Kubernetes quantity: a number with an optional suffix, such as 250m, 0.5, 2, 512Mi or 1Gi'],
    ['a negative quantity', 'runScriptConfig: {image: x}\nresources: {requests: {cpu: -1}}', 'p.yml:5:33: stages[0].steps[0].resources.requests.cpu: expected a number >= 0; got -1'],
    ['an empty requests', 'runScriptConfig: {image: x}\nresources: {requests: {}}', 'p.yml:5:27: stages[0].steps[0].resources.requests: expected at least one of cpu, memory'],
    ['an unknown resource in requests', 'runScriptConfig: {image: x}\nresources: {requests: {gpu: 1}}', 'p.yml:5:28: unknown key "gpu" in stages[0].steps[0].resources.requests; expected one of: cpu, memory'],
    ['both shapes under resources', 'runScriptConfig: {image: x}\nresources: {memoryLimit: 1Gi, requests: {cpu: 1}}', "p.yml:5:17: stages[0].steps[0].resources.memoryLimit: Rancher's memoryLimit cannot be mixed with requests (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory"],
    ['an unknown resources key', 'runScriptConfig: {image: x}\nresources: {gpu: 1}', 'p.yml:5:17: unknown key "gpu" in stages[0].steps[0].resources; expected one of: cpuRequest, cpuLimit, memoryRequest, memoryLimit, requests, limits'],
    ['a negative step timeout', 'runScriptConfig: {image: x}\ntimeout: -1', 'p.yml:5:14: stages[0].steps[0].timeout: expected a number >= 1; got -1'],
    ['too many retries', 'runScriptConfig: {image: x}\nretry: {limit: 11}', 'p.yml:5:20: stages[0].steps[0].retry.limit: expected a number <= 10; got 11'],
    ['a retry that is not a number', 'runScriptConfig: {image: x}\nretry: always', 'p.yml:5:12: stages[0].steps[0].retry: expected a whole number of retries or {limit}, got the string "always"'],
    ['a cache without paths', 'runScriptConfig: {image: x}\ncache: {key: k}', 'p.yml:5:5: stages[0].steps[0].cache is missing the required key "paths"'],
    ['a step name with a newline', 'name: "a\\nb"\nrunScriptConfig: {image: x}', 'p.yml:4:11: stages[0].steps[0].name: "a\\nb" does not match ^[^\\u0000-\\u001f\\u007f]+$'],
  ])('reports %s', (_what, step, expected) => {
    expect(lintErrors(oneStep(step))).toContain(expected);
  });
});

describe('whole-file checks name the file, line and column', () => {
  it('reports a duplicate stage name at the second stage', () => {
    const text = 'stages:\n- name: a\n  steps: [{approval: {message: m}}]\n- name: a\n  steps: [{approval: {message: m}}]\n';
    expect(lintErrors(text)).toEqual(['p.yml:4:9: stage name "a" is already used by stages[0]; expected unique stage names']);
  });

  it('reports a step name that collides with a default step name', () => {
    const text = 'stages:\n- name: a\n  steps:\n  - approval: {message: m}\n  - name: step-1\n    approval: {message: m}\n';
    expect(lintErrors(text)).toEqual([
      'p.yml:5:11: step name "step-1" is already used by steps[0] of this stage; expected unique step names',
    ]);
  });

  it('reports a resource given both flat and under resources', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\ncpuLimit: 1\nresources: {cpuLimit: 2}'))).toEqual([
      'p.yml:5:5: cpuLimit is given both on the step and under resources; expected one of them',
    ]);
  });

  it('reports a flat Rancher key mixed with the Kubernetes shape under resources, at the flat key', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\ncpuRequest: 1\nresources: {limits: {cpu: 2}}'))).toEqual([
      "p.yml:5:5: stages[0].steps[0].cpuRequest: Rancher's cpuRequest on the step cannot be mixed with resources.limits (the Kubernetes shape) in one step; expected one shape: cpuRequest/cpuLimit/memoryRequest/memoryLimit, or requests/limits with cpu/memory",
    ]);
  });

  it('reports a request above its limit, in either shape, at the request', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\nresources: {requests: {memory: 2Gi}, limits: {memory: 1536Mi}}'))).toEqual([
      'p.yml:5:36: stages[0].steps[0].resources.requests.memory: the memory request 2Gi is more than the memory limit 1536Mi; expected a request no larger than its limit (Kubernetes refuses the container otherwise)',
    ]);
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\ncpuRequest: 1500m\ncpuLimit: 1'))[0]).toMatch(/^p\.yml:5:17: stages\[0\]\.steps\[0\]\.cpuRequest: the cpu request 1500m is more than the cpu limit 1;/);
  });

  it('reports a variable defined in env and envFrom', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\nenv: {TOKEN: a}\nenvFrom: [{sourceName: s, sourceKey: TOKEN}]'))).toEqual([
      'p.yml:6:15: variable TOKEN is already defined in env; expected each variable once',
    ]);
  });

  it('reports user variables that take the reserved CICD_ prefix', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\nenv: {CICD_GIT_BRANCH: main}'))).toEqual([
      'p.yml:5:10: variable CICD_GIT_BRANCH uses the reserved CICD_ prefix; expected another name',
    ]);
  });

  it('reports cache paths that climb out with ..', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: x}\ncache: {paths: [a, ../etc]}'))).toEqual([
      'p.yml:5:24: cache path "../etc" contains ".."; expected a path without parent references',
    ]);
  });

  it('reports stage cache paths that climb out with .., and unknown variables in a stage cache key', () => {
    expect(lintErrors('stages:\n- name: a\n  cache: {paths: [../x], key: "k-${CICD_NOPE}"}\n  steps: [{approval: {message: m}}]\n')).toEqual([
      'p.yml:3:19: cache path "../x" contains ".."; expected a path without parent references',
      'p.yml:3:31: stages[0].cache.key: unknown variable ${CICD_NOPE}; expected one of the CICD_* variables (CICD_GIT_COMMIT, CICD_GIT_BRANCH, ...)',
    ]);
  });

  it('reports an unknown ${CICD_*} variable at the field that uses it', () => {
    expect(lintErrors(oneStep('publishImageConfig: {tag: "app:${CICD_GIT_REPOSITORY_NAME}"}'))).toEqual([
      'p.yml:4:31: stages[0].steps[0].publishImageConfig.tag: unknown variable ${CICD_GIT_REPOSITORY_NAME}; expected one of the CICD_* variables (CICD_GIT_COMMIT, CICD_GIT_BRANCH, ...)',
    ]);
  });

  it('does not check variables in shell scripts, which the shell expands', () => {
    expect(() => lintErrors(oneStep('runScriptConfig: {image: x, shellScript: "echo ${CICD_ANYTHING}"}'))).toThrow(/it parsed/);
  });

  it('allows CICD_IMAGE in applyYamlConfig only after a publish step in an earlier stage', () => {
    const text = (first: string) => `stages:\n${first}- name: deploy\n  steps:\n  - applyYamlConfig: {content: "image: \${CICD_IMAGE}"}\n`;
    expect(lintErrors(text(''))).toEqual([
      'p.yml:4:32: stages[0].steps[0].applyYamlConfig.content: ${CICD_IMAGE} needs a publishImageConfig step in an earlier stage',
    ]);
    expect(() => lintErrors(text('- name: image\n  steps: [{publishImageConfig: {}}]\n'))).toThrow(/it parsed/);
  });

  it('reports CICD_IMAGE outside applyYamlConfig as unknown', () => {
    expect(lintErrors(oneStep('runScriptConfig: {image: "${CICD_IMAGE}"}'))[0]).toMatch(/^p\.yml:4:30: .*unknown variable \$\{CICD_IMAGE\}/);
  });
});
