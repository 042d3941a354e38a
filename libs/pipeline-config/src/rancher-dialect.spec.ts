import { configDialectOf } from './model';
import { ConfigWarning, formatIssue, formatWarning } from './pipeline-config.errors';
import { parsePipelineConfig } from './pipeline-config.parser';

const RANCHER = '.rancher-pipeline.yml';

/** Parses as a Rancher file and expects it to be valid; returns the config and the warnings as FILE:LINE:COL text. */
function rancher(text: string, file = RANCHER) {
  const result = parsePipelineConfig(text, { file });
  if (!result.ok) throw new Error(`expected a valid file, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return { config: result.config, warnings: result.warnings.map(formatWarning), codes: result.warnings.map((w: ConfigWarning) => w.code) };
}

function refused(text: string, file = RANCHER): string[] {
  const result = parsePipelineConfig(text, { file });
  if (result.ok) throw new Error('expected an invalid file, but it parsed');
  return result.issues.map(formatIssue);
}

const step = (lines: string) => `stages:\n- name: build\n  steps:\n${lines}`;
const RUN = '  - runScriptConfig: {image: alpine, shellScript: make}\n';

describe('which files are read as Rancher files', () => {
  it.each([
    ['.rancher-pipeline.yml', 'rancher'], ['.rancher-pipeline.yaml', 'rancher'], ['ci/.rancher-pipeline.yml', 'rancher'],
    ['.devops.yml', 'devops'], ['.devops.yaml', 'devops'], ['rancher-pipeline.yml', 'devops'], ['x.rancher-pipeline.yml', 'devops'],
  ])('%s is read as %s', (path, dialect) => {
    expect(configDialectOf(path)).toBe(dialect);
  });

  it('keeps .devops.yml strict: what a Rancher file is warned about is an error there', () => {
    const text = `${step(RUN)}notification: {}\ntypo: 1\n`;
    expect(rancher(text).codes).toEqual(['NoRecipients', 'UnknownKeyIgnored']);
    expect(rancher(text, '.rancher-pipeline.yaml').codes).toEqual(['NoRecipients', 'UnknownKeyIgnored']);
    expect(refused(text, '.devops.yml')).toEqual([
      '.devops.yml:5:1: notification is missing the required key "recipients"',
      '.devops.yml:6:1: unknown key "typo" in the file; expected one of: stages, timeout, branch, cache, notification, concurrency',
    ]);
  });

  it('can be told the dialect whatever the file is called', () => {
    expect(parsePipelineConfig(`${step(RUN)}typo: 1\n`, { file: 'anything.yml', dialect: 'rancher' })).toMatchObject({ ok: true });
  });
});

describe('notification', () => {
  it.each([
    ['notification: {}', 'notification has no recipients'],
    ['notification:', 'notification is empty'],
    ['notification: {recipients: []}', 'notification has no recipients'],
    ['notification: {condition: [Failed], message: hi}', 'notification has no recipients'],
  ])('%s notifies nobody, with a warning at its line', (line, message) => {
    const { config, warnings } = rancher(`${step(RUN)}${line}\n`);
    expect(config.notification).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^\\.rancher-pipeline\\.yml:5:1: warning: ${message}: nobody is notified`))]);
  });

  it('drops a recipient without a notifier and a condition that is no final state, each with a warning', () => {
    const { config, warnings } = rancher(`${step(RUN)}notification:
  recipients:
  - {recipient: "#ci", notifier: "c-1:n-2"}
  - {recipient: lost}
  condition: [Failed, Building, Changed]
  message: 42
`);
    expect(config.notification).toEqual({ recipients: [{ recipient: '#ci', notifier: 'c-1:n-2' }], condition: ['Failed', 'Changed'], message: '42' });
    expect(warnings).toEqual([
      '.rancher-pipeline.yml:8:5: warning: notification.recipients[1] has no notifier, so nobody was notified through it (as in Rancher): it is left out',
      '.rancher-pipeline.yml:9:23: warning: notification.condition[1]: "Building" is not Success, Failed, Aborted, Changed, so it never matched in Rancher: it is left out',
    ]);
  });

  it('says that Keelson notifies where Rancher did not, when recipients come without a condition', () => {
    const { config, codes } = rancher(`${step(RUN)}notification: {recipients: [{recipient: a, notifier: b}]}\n`);
    expect(config.notification?.condition).toEqual(['Failed', 'Changed']);
    expect(codes).toEqual(['MeaningDiffers']);
  });
});

describe('sourceCodeConfig (Rancher\'s clone step)', () => {
  it('is left out, and so is a stage that only cloned; later errors still point at their own lines', () => {
    const text = `stages:
- name: Clone
  steps:
  - sourceCodeConfig: {}
- name: build
  steps:
  - sourceCodeConfig: {}
  - runScriptConfig: {image: alpine}
  - runScriptConfig: {imag: x}
`;
    // The unknown key is only a warning in a Rancher file; the missing image is the error, at the file's line 9.
    expect(refused(text)).toEqual(['.rancher-pipeline.yml:9:5: stages[0].steps[1].runScriptConfig is missing the required key "image"']);
    const { config, warnings } = rancher(text.replace('imag: x', 'image: y'));
    expect(config.stages.map((s) => [s.name, s.steps.map((p) => p.type === 'runScriptConfig' && p.config.image)])).toEqual([['build', ['alpine', 'y']]]);
    expect(warnings).toEqual([
      '.rancher-pipeline.yml:2:3: warning: stages[0] only clones the repository, which Keelson always does before the first stage: the stage is left out',
      '.rancher-pipeline.yml:4:5: warning: stages[0].steps[0]: sourceCodeConfig is left out: Keelson always checks out the commit before the first stage',
      '.rancher-pipeline.yml:7:5: warning: stages[1].steps[0]: sourceCodeConfig is left out: Keelson always checks out the commit before the first stage',
    ]);
  });

  it('is refused when it is not a mapping, as yaml.v2 could not decode it', () => {
    expect(refused(step('  - sourceCodeConfig: [x]\n'))).toContain('.rancher-pipeline.yml:4:5: stages[0].steps[0].sourceCodeConfig: expected a mapping (`sourceCodeConfig: {}`), got a list');
  });
});

describe('shapes Rancher\'s decoder took', () => {
  it('reads include and exclude given as single strings, and a number as its text', () => {
    const { config } = rancher(`${step(RUN)}    when: {branch: {include: main, exclude: 1.10}, event: push}
branch: {include: release/*}
`);
    expect(config.stages[0].steps[0].when).toEqual({ branch: { include: ['main'], exclude: ['1.10'] }, event: { include: ['push'], exclude: [] } });
    expect(config.branch).toEqual({ include: ['release/*'], exclude: [] });
  });

  it('reads an empty constraint or list as "any", and a null one as absent', () => {
    const { config } = rancher(`stages:\n- name: a\n  when: {branch: [], event: {}}\n  steps:\n${RUN}    when: {branch: ~}\nbranch: {}\n`);
    expect(config.stages[0].when).toEqual({ branch: { include: [], exclude: [] }, event: { include: [], exclude: [] } });
    expect(config.stages[0].steps[0].when).toEqual({});
    expect(config.branch).toEqual({ include: [], exclude: [] });
  });

  it('reads numbers and booleans in string fields as their text, and null as absent', () => {
    const { config } = rancher(step(`  - runScriptConfig: {image: 3, shellScript: ~}
  - publishImageConfig: {tag: "app:1", dockerfilePath: "", buildContext: ""}
  - applyAppConfig: {catalogTemplate: c, name: n, version: 1.10, answers: {a: true, b: 1.50, c: ~}}
    env: {N: 1.10, E: ~}
`));
    const [run, publish, app] = config.stages[0].steps;
    expect(run.config).toEqual({ image: '3' });
    expect(publish.config).toMatchObject({ dockerfilePath: './Dockerfile', buildContext: '.', tag: 'app:1' });
    expect(app.config).toMatchObject({ version: '1.10', values: { a: 'true', b: '1.50', c: '' } });
    expect(app.env).toEqual({ N: '1.10', E: '' });
  });

  it('reads YAML 1.1 booleans (yes, on, off) in boolean fields, as yaml.v2 did', () => {
    const { config } = rancher(step('  - publishImageConfig: {tag: "a:1", pushRemote: yes, registry: r.example}\n    privileged: off\n'));
    expect(config.stages[0].steps[0]).toMatchObject({ privileged: false, config: { pushRemote: true } });
    expect(refused(step('  - publishImageConfig: {tag: "a:1", pushRemote: "yes", registry: r.example}\n'))).toEqual([
      '.rancher-pipeline.yml:4:50: stages[0].steps[0].publishImageConfig.pushRemote: expected true or false, got the string "yes"',
    ]);
  });

  it('takes variable names Kubernetes takes (docker-pwd), which only Rancher files may use', () => {
    const text = step(`${RUN}    env: {app.mode: x}\n    envFrom: [{sourceName: s, sourceKey: k, targetKey: docker-pwd}]\n`);
    expect(rancher(text).config.stages[0].steps[0]).toMatchObject({ env: { 'app.mode': 'x' }, envFrom: [{ targetKey: 'docker-pwd' }] });
    expect(refused(text, '.devops.yml').length).toBe(2);
  });

  it('keeps a variable or answer named __proto__ as a key, never as a prototype', () => {
    const { config } = rancher(step(`  - applyAppConfig: {catalogTemplate: c, name: n, answers: {__proto__: 1}}\n    env: {__proto__: x}\n`));
    const [app] = config.stages[0].steps;
    expect(Object.keys(app.env)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(app.env)).toBe(Object.prototype);
    expect(app.type === 'applyAppConfig' && Object.keys(app.config.values)).toEqual(['__proto__']);
  });

  it('lets the last of two equal keys count, with a warning at the first', () => {
    const { config, warnings } = rancher(`${step(RUN)}timeout: 5\ntimeout: 7\n`);
    expect(config.timeout).toBe(7);
    expect(warnings).toEqual(['.rancher-pipeline.yml:5:1: warning: "timeout" in the file is given again at line 6: the last one counts (as in Rancher)']);
    expect(refused(`${step(RUN)}timeout: 5\ntimeout: 7\n`, '.devops.yml')[0]).toMatch(/^\.devops\.yml:6:1: duplicate key/);
  });

  it('runs only the first type of a step, in Rancher\'s order, and says which are ignored', () => {
    const { config, warnings } = rancher(step('  - applyYamlConfig: {path: k.yaml}\n    runScriptConfig: {image: alpine}\n'));
    expect(config.stages[0].steps[0].type).toBe('runScriptConfig');
    expect(warnings).toEqual([expect.stringMatching(/^\.rancher-pipeline\.yml:4:5: warning: stages\[0\]\.steps\[0\]\.applyYamlConfig is ignored: this step is a runScriptConfig/)]);
  });

  it('reads a timeout of 0 as the default, caps one beyond a day, and truncates a fraction', () => {
    expect(rancher(`${step(RUN)}timeout: 0\n`)).toMatchObject({ config: { timeout: 60 }, codes: ['ValueIgnored'] });
    expect(rancher(`${step(RUN)}timeout: 2000\n`)).toMatchObject({ config: { timeout: 1440 }, codes: ['MeaningDiffers'] });
    expect(rancher(`${step(RUN)}timeout: 1.9\n`)).toMatchObject({ config: { timeout: 1 }, codes: [] });
    expect(refused(`${step(RUN)}timeout: "30"\n`)).toEqual(['.rancher-pipeline.yml:5:10: timeout: expected a whole number, got the string "30"']);
  });

  it('numbers a stage name used twice, since Keelson tells stages apart by name', () => {
    const { config, warnings } = rancher(`stages:\n- name: deploy\n  steps:\n${RUN}- name: deploy\n  steps:\n${RUN}`);
    expect(config.stages.map((s) => s.name)).toEqual(['deploy', 'deploy (2)']);
    expect(warnings).toEqual([
      '.rancher-pipeline.yml:5:9: warning: stage name "deploy" is already used by stages[0]: Rancher ran both, and Keelson, whose stage names are unique, calls this one "deploy (2)"',
    ]);
  });

  it('drops a registry named in a tag, as Rancher did, pushing where the step says', () => {
    const { config, warnings } = rancher(step('  - publishImageConfig: {tag: "reg.example:5000/team/app:1", pushRemote: true, registry: other.example}\n'));
    expect(config.stages[0].steps[0].config).toMatchObject({ tag: 'team/app:1', registry: 'other.example' });
    expect(warnings).toEqual(['.rancher-pipeline.yml:4:31: warning: stages[0].steps[0].publishImageConfig.tag: the registry "reg.example:5000" in the tag is ignored, as Rancher did: the image is pushed as "team/app:1" to registry "other.example"']);
  });
});

describe('unknown keys', () => {
  it('are ignored in a Rancher file, each a warning at its own line and column', () => {
    const { config, warnings } = rancher(`stages:
- name: build
  iiidevops: sonarqube
  steps:
  - runScriptConfig:
      image: alpine
      env: {A: b}
      when: {event: tag}
    envFrom: [{sourceName: s, sourceKey: k, targetkey: T}]
`);
    expect(config.stages[0].steps[0]).toMatchObject({ config: { image: 'alpine' }, env: {}, envFrom: [{ targetKey: 'k' }] });
    expect(config.stages[0].steps[0].when).toBeUndefined();
    expect(warnings).toEqual([
      '.rancher-pipeline.yml:3:3: warning: unknown key "iiidevops" in stages[0] is ignored (as Rancher did); expected one of: name, steps, when, cache',
      '.rancher-pipeline.yml:7:7: warning: unknown key "env" in stages[0].steps[0].runScriptConfig is ignored (as Rancher did); expected one of: image, shellScript',
      '.rancher-pipeline.yml:8:7: warning: unknown key "when" in stages[0].steps[0].runScriptConfig is ignored (as Rancher did); expected one of: image, shellScript',
      '.rancher-pipeline.yml:9:45: warning: unknown key "targetkey" in stages[0].steps[0].envFrom[0] is ignored (as Rancher did); expected one of: sourceName, sourceKey, targetKey',
    ]);
  });

  it('are ignored in Keelson\'s own blocks of a Rancher file too', () => {
    const { config, codes } = rancher(`${step(RUN)}    cache: {paths: [x], ttl: 3}\nconcurrency: {limit: 1, queue: 2}\n`);
    expect(config.stages[0].steps[0].cache).toEqual({ paths: ['x'] });
    expect(config.concurrency).toEqual({ limit: 1, cancelSuperseded: false });
    expect(codes).toEqual(['UnknownKeyIgnored', 'UnknownKeyIgnored']);
  });

  it('reads a stage cache block as Keelson\'s own, ignoring unknown keys in it', () => {
    const { config, codes } = rancher(`stages:\n- name: build\n  cache: {paths: [x], key: k, ttl: 3}\n  steps:\n${RUN}`);
    expect(config.stages[0].cache).toEqual({ paths: ['x'], key: 'k' });
    expect(codes).toEqual(['UnknownKeyIgnored']);
  });
});

describe('what Rancher could not run is refused at its line and column', () => {
  it.each([
    ['a step type given as a list', step('  - runScriptConfig:\n    - image: x\n'), '.rancher-pipeline.yml:5:5: stages[0].steps[0].runScriptConfig: expected a mapping, got a list'],
    ['env given as a string', step(`${RUN}    env: A=b\n`), '.rancher-pipeline.yml:5:10: stages[0].steps[0].env: expected a mapping, got the string "A=b"'],
    ['a file that is one string', 'stages { stage("x") }\n', '.rancher-pipeline.yml:1:1: the file: expected a mapping, got the string "stages { stage(\\"x\\") }"'],
    ['a step without a type', step('  - env: {A: b}\n'), expect.stringMatching(/^\.rancher-pipeline\.yml:4:5: stages\[0\]\.steps\[0\]: expected exactly one of .*; found none$/)],
    ['no stages at all', 'kind: Deployment\n', '.rancher-pipeline.yml:1:1: the file is missing the required key "stages"'],
    ['an image tag with a variable never substituted', step('  - publishImageConfig: {tag: "app:${COMMIT_ID}"}\n'),
      '.rancher-pipeline.yml:4:31: stages[0].steps[0].publishImageConfig.tag: ${COMMIT_ID} is never substituted (only ${CICD_*} variables are, not a step\'s env), so "app:${COMMIT_ID}" cannot become an image reference'],
  ])('%s', (_name, text, error) => {
    expect(refused(text)).toContainEqual(error);
  });
});

it('refuses an image that keeps a ${...} of its own in a .devops.yml as well', () => {
  expect(refused(step('  - runScriptConfig: {image: "node:${NODE}"}\n'), '.devops.yml')).toEqual([
    '.devops.yml:4:30: stages[0].steps[0].runScriptConfig.image: ${NODE} is never substituted (only ${CICD_*} variables are, not a step\'s env), so "node:${NODE}" cannot become an image reference',
  ]);
});
