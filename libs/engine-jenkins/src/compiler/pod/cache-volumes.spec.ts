import { compileJenkinsJob } from '../jenkins-job.compiler';
import { aCompileInput } from '../testing/compile-input.builders';
import { buildCacheVolumes, cacheMounts } from './cache-volumes';

const WORKSPACE = '/home/jenkins/agent/workspace/web';
const scope = { root: '/var/lib/keelson/cache', project: 'team-a', pipeline: 'web', namespace: 'team-a-builds', trusted: true, workspace: WORKSPACE };
const FORK = { facts: { event: 'pull_request' as const, fromFork: true, ref: 'refs/pull/3/head' } };

const CACHED = `
cache: {paths: [node_modules, .yarn], key: deps}
stages:
- name: s
  steps:
  - {runScriptConfig: {image: node}, cache: {paths: [/root/.npm], key: npm}}
  - {runScriptConfig: {image: node}}
  - {runScriptConfig: {image: node}, cache: {paths: [never], key: skipped}, when: {branch: nope}}
`;

describe('cache volumes', () => {
  it('mounts each path of a key as a subPath of the one claim of that key', () => {
    const mounts = cacheMounts({ paths: ['node_modules', '/root/.m2'], key: 'deps' }, scope);
    const claimName = mounts[0].claim.claimName;
    expect(mounts.map((m) => m.volume)).toEqual([
      { name: claimName, persistentVolumeClaim: { claimName, readOnly: false } },
      { name: claimName, persistentVolumeClaim: { claimName, readOnly: false } },
    ]);
    expect(mounts.map((m) => m.mount)).toEqual([
      { name: claimName, mountPath: `${WORKSPACE}/node_modules`, subPath: 'node_modules', readOnly: false },
      { name: claimName, mountPath: '/root/.m2', subPath: expect.stringMatching(/^_root_.m2-[0-9a-f]{10}$/), readOnly: false },
    ]);
  });

  it('mounts the fork key read-only, claim and mounts alike, for untrusted builds', () => {
    const [m] = cacheMounts({ paths: ['x'], key: 'deps' }, { ...scope, trusted: false });
    expect(m.claim.hostPath).toBe('/var/lib/keelson/cache/team-a/web/fork-deps');
    expect(m.volume).toMatchObject({ persistentVolumeClaim: { readOnly: true } });
    expect(m.mount.readOnly).toBe(true);
  });

  it('gives the manager one volume and claim per key the running steps mount, and none for skipped steps', () => {
    const { volumes, claims } = buildCacheVolumes(aCompileInput(CACHED));
    expect(volumes.map((v) => v.spec.hostPath.path).sort()).toEqual([
      '/var/lib/keelson/cache/team-a/web/deps', '/var/lib/keelson/cache/team-a/web/npm',
    ]);
    expect(claims.map((c) => c.metadata.name)).toEqual(volumes.map((v) => v.spec.claimRef.name));
    expect(claims.every((c) => c.metadata.namespace === 'team-a-builds')).toBe(true);
  });

  it('creates exactly the claims the pod mounts', () => {
    for (const overrides of [{}, FORK]) {
      const job = compileJenkinsJob(aCompileInput(CACHED, overrides));
      const mounted = (job.pod.spec.volumes ?? []).flatMap((v) => ('persistentVolumeClaim' in v ? [v.persistentVolumeClaim.claimName] : []));
      expect(mounted.length).toBeGreaterThan(0);
      expect(job.cacheVolumes.claims.map((c) => c.metadata.name).sort()).toEqual([...mounted].sort());
    }
  });

  it('has no volumes or claims for a pipeline without caches', () => {
    expect(buildCacheVolumes(aCompileInput())).toEqual({ volumes: [], claims: [] });
  });
});
