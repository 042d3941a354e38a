// The cache janitor's objects as the chart renders them (helm template with the chart's schema), and helm lint
// --strict with the janitor on. The script itself is tested on a real tree in cache-janitor.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const CHART = resolve(__dirname, '../../charts/keelson');
const HELM = join(process.env.KEELSON_HOME ?? join(homedir(), '.cache/keelson'), 'servers/bin/helm');

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function helm(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`helm could not run (${HELM}); npm run setup builds it: ${r.error.message}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function render(...set: string[]): Obj[] {
  const r = helm(['template', 'rel', CHART, '--namespace', 'keelson', ...set.flatMap((s) => ['--set', s])]);
  if (r.code !== 0) throw new Error(r.err);
  return parseAllDocuments(r.out).map((d) => d.toJS() as Obj).filter((o) => o && o.metadata?.labels?.['app.kubernetes.io/component'] === 'cache-janitor');
}

describe('the cache janitor in the chart', () => {
  it('renders nothing unless enabled', () => {
    expect(render()).toEqual([]);
  });

  it('runs the script of files/cache-janitor.sh, byte for byte, with the limits of values on the cache root by hostPath', () => {
    const objects = render('cacheJanitor.enabled=true', 'cacheJanitor.maxSize=20Gi', 'cacheJanitor.intervalSeconds=60');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace}`)).toEqual(['ConfigMap/rel-keelson-cache-janitor@keelson', 'DaemonSet/rel-keelson-cache-janitor@keelson']);
    const [configMap, daemonSet] = objects;
    expect(configMap.data?.['cache-janitor.sh']).toBe(readFileSync(join(CHART, 'files/cache-janitor.sh'), 'utf8'));
    const pod = daemonSet.spec.template.spec;
    const [container] = pod.containers;
    expect(container.image).toBe('docker.io/library/busybox:1.37.0');
    expect(container.command).toEqual(['sh', '/opt/keelson/cache-janitor.sh']);
    expect(Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual({
      CACHE_ROOT: '/var/lib/keelson/cache', MAX_SIZE: '20Gi', INTERVAL: '60', IN_USE_GRACE: '7200', LOCK_STALE: '120',
    });
    expect(pod.volumes).toContainEqual({ name: 'cache-root', hostPath: { path: '/var/lib/keelson/cache', type: 'DirectoryOrCreate' } });
    expect(container.volumeMounts).toContainEqual({ name: 'cache-root', mountPath: '/var/lib/keelson/cache' });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['DAC_OVERRIDE'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(daemonSet.spec.template.metadata.annotations['checksum/script']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes the cache root from values, and refuses one that is not a normalised absolute directory', () => {
    const [, daemonSet] = render('cacheJanitor.enabled=true', 'cacheJanitor.cacheRoot=/data/keelson/');
    expect(daemonSet.spec.template.spec.volumes).toContainEqual({ name: 'cache-root', hostPath: { path: '/data/keelson', type: 'DirectoryOrCreate' } });
    const bad = helm(['template', 'rel', CHART, '--set', 'cacheJanitor.enabled=true', '--set', 'cacheJanitor.cacheRoot=/data/../etc']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('cacheJanitor.cacheRoot must be a normalised absolute directory other than /, got "/data/../etc"');
    const relative = helm(['template', 'rel', CHART, '--set', 'cacheJanitor.enabled=true', '--set', 'cacheJanitor.cacheRoot=data']);
    expect(relative.code).not.toBe(0);
    expect(relative.err).toContain('cacheRoot');
  });

  it('goes to a namespace of its own, created with the privileged Pod Security level, when asked', () => {
    const objects = render('cacheJanitor.enabled=true', 'cacheJanitor.namespace=keelson-janitor', 'cacheJanitor.createNamespace=true');
    const ns = objects.find((o) => o.kind === 'Namespace');
    expect(ns?.metadata.name).toBe('keelson-janitor');
    expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('keelson-janitor');
  });

  it('places pods by the values and refuses a bad size', () => {
    const [, daemonSet] = render('cacheJanitor.enabled=true', 'cacheJanitor.nodeSelector.role=build', 'cacheJanitor.tolerations[0].key=builds', 'cacheJanitor.tolerations[0].operator=Exists');
    expect(daemonSet.spec.template.spec.nodeSelector).toEqual({ role: 'build' });
    expect(daemonSet.spec.template.spec.tolerations).toEqual([{ key: 'builds', operator: 'Exists' }]);
    const bad = helm(['template', 'rel', CHART, '--set', 'cacheJanitor.enabled=true', '--set', 'cacheJanitor.maxSize=lots']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('maxSize');
  });

  it('passes helm lint --strict with the janitor on', () => {
    const r = helm(['lint', '--strict', CHART, '--set', 'cacheJanitor.enabled=true', '--set', 'cacheJanitor.namespace=keelson-janitor', '--set', 'cacheJanitor.createNamespace=true']);
    expect(`${r.out}${r.err}`).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.code).toBe(0);
  });
});
