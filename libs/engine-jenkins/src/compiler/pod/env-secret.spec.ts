import { JenkinsCompileError } from '../compile.errors';
import { aCompileInput } from '../testing/compile-input.builders';
import { buildPod } from './build-pod.builder';
import { buildSecretReferences, envSecretKey } from './env-secret';

const ENV_FROM = `
stages:
- name: test
  steps:
  - name: unit
    runScriptConfig: {image: node}
    envFrom: [{sourceName: npm, sourceKey: token, targetKey: NPM_TOKEN}, {sourceName: db, sourceKey: url, targetKey: DB}]
  - name: e2e
    runScriptConfig: {image: node}
    envFrom: [{sourceName: npm, sourceKey: token, targetKey: TOKEN}, {sourceName: npm, sourceKey: user, targetKey: NPM_USER}]
  - name: later
    when: {branch: release}
    runScriptConfig: {image: node}
    envFrom: [{sourceName: signing, sourceKey: key, targetKey: KEY}]
- name: deploy
  steps:
  - name: apply
    applyYamlConfig: {path: k.yaml}
    envFrom: [{sourceName: deploy, sourceKey: kubeconfig, targetKey: EXTRA}]
`;
const FORK = { facts: { event: 'pull_request' as const, fromFork: true, ref: 'refs/pull/3/head' } };

function secretKeyRefs(pod: ReturnType<typeof buildPod>): Array<{ name: string; key: string }> {
  return pod.spec.containers.flatMap((c) => (c.env ?? []).flatMap((e) => ('valueFrom' in e ? [e.valueFrom.secretKeyRef] : [])));
}

describe('envFrom through the execution Secret', () => {
  it('keys a source Secret key as <secret>__<key>, which no Secret name can make ambiguous', () => {
    expect(envSecretKey('npm', 'token')).toBe('npm__token');
    expect(envSecretKey('a.b-c', 'x_y')).toBe('a.b-c__x_y');
  });

  it('points every secretKeyRef of the pod at the execution Secret', () => {
    const pod = buildPod(aCompileInput(ENV_FROM));
    const unit = pod.spec.containers.find((c) => c.name === 'step-0-0');
    expect(unit?.env).toContainEqual({ name: 'NPM_TOKEN', valueFrom: { secretKeyRef: { name: 'web-12-env', key: 'npm__token' } } });
    expect(new Set(secretKeyRefs(pod).map((r) => r.name))).toEqual(new Set(['web-12-env']));
  });

  it('lists each source Secret key a running step needs once, with the first step that names it', () => {
    expect(buildSecretReferences(aCompileInput(ENV_FROM))).toEqual([
      { secret: 'npm', key: 'token', stage: 'test', step: 'unit' },
      { secret: 'db', key: 'url', stage: 'test', step: 'unit' },
      { secret: 'npm', key: 'user', stage: 'test', step: 'e2e' },
      { secret: 'deploy', key: 'kubeconfig', stage: 'deploy', step: 'apply' },
    ]);
  });

  it('agrees with what the pod references, for every kind of run', () => {
    const runs = [{}, { facts: { branch: 'release', ref: 'refs/heads/release' } }, FORK, { facts: { event: 'pull_request' as const, fromFork: false, ref: 'refs/pull/3/head' } }];
    for (const overrides of runs) {
      const input = aCompileInput(ENV_FROM, overrides);
      const referenced = new Set(secretKeyRefs(buildPod(input)).map((r) => r.key));
      expect(new Set(buildSecretReferences(input).map((r) => envSecretKey(r.secret, r.key)))).toEqual(referenced);
    }
  });

  it('needs no Secret for a fork pull request, whose pod gets no envFrom at all', () => {
    const input = aCompileInput(ENV_FROM, FORK);
    expect(buildSecretReferences(input)).toEqual([]);
    expect(secretKeyRefs(buildPod(input))).toEqual([]);
    expect(() => buildPod(aCompileInput(ENV_FROM, { ...FORK, settings: { envSecret: undefined } }))).not.toThrow();
  });

  it('refuses a trusted build with envFrom when no execution Secret is set, naming the stage and step', () => {
    const build = () => buildPod(aCompileInput(ENV_FROM, { settings: { envSecret: undefined } }));
    expect(build).toThrow(JenkinsCompileError);
    expect(build).toThrow(expect.objectContaining({ code: 'InvalidSetting', message: expect.stringMatching(/stage "test" step "unit" uses envFrom, but no envSecret is set/) }));
  });

  it('needs no execution Secret when no running step uses envFrom', () => {
    expect(() => buildPod(aCompileInput(undefined, { settings: { envSecret: undefined } }))).not.toThrow();
  });

  it('refuses an execution Secret name that is not a Secret name', () => {
    expect(() => buildPod(aCompileInput(ENV_FROM, { settings: { envSecret: 'Web_12' } }))).toThrow(expect.objectContaining({ code: 'InvalidSetting' }));
  });
});
