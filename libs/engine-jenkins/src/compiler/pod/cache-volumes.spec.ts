import { posix } from 'node:path';

import fc from 'fast-check';

import { JenkinsCompileError } from '../compile.errors';
import { adversarialString } from '../testing/adversarial.arbitrary';
import { cacheMountPath, cacheMounts, checkCacheRoot, sanitizePathSegment } from './cache-volumes';

const WORKSPACE = '/home/jenkins/agent/workspace/web';
const scope = { root: '/var/lib/keelson/cache', project: 'team-a', pipeline: 'web', workspace: WORKSPACE, readOnly: false };

describe('cache volumes', () => {
  it('keeps simple names as they are', () => {
    expect(sanitizePathSegment('node_modules')).toBe('node_modules');
  });

  it('turns any text into one safe directory name, distinct for distinct texts', () => {
    expect(sanitizePathSegment('a/b')).not.toBe(sanitizePathSegment('a_b'));
    fc.assert(fc.property(adversarialString, (raw) => {
      const seg = sanitizePathSegment(raw);
      expect(seg).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(seg.length).toBeLessThanOrEqual(91);
    }), { numRuns: 3000 });
  });

  it('keys host directories by project, pipeline and cache key under the cache root', () => {
    const [m] = cacheMounts({ paths: ['node_modules'], key: 'deps' }, scope);
    expect(m.volume).toMatchObject({ hostPath: { path: '/var/lib/keelson/cache/team-a/web/deps/node_modules', type: 'DirectoryOrCreate' } });
    expect(m.mount).toMatchObject({ mountPath: `${WORKSPACE}/node_modules`, readOnly: false });
  });

  it('never places a host directory outside the cache root, whatever the project, pipeline, key or path', () => {
    fc.assert(fc.property(adversarialString, adversarialString, adversarialString, (project, key, path) => {
      let mounts;
      try {
        mounts = cacheMounts({ paths: [path], key }, { ...scope, project });
      } catch (e) {
        expect((e as JenkinsCompileError).code).toBe('InvalidCachePath');
        return;
      }
      const host = (mounts[0].volume as { hostPath: { path: string } }).hostPath.path;
      expect(posix.normalize(host)).toBe(host);
      expect(host.startsWith('/var/lib/keelson/cache/')).toBe(true);
      expect(host.split('/').length).toBe(9);
    }), { numRuns: 3000 });
  });

  it('mounts absolute cache paths where they are, and relative ones inside the workspace', () => {
    expect(cacheMountPath('/root/.m2', WORKSPACE)).toBe('/root/.m2');
    expect(cacheMountPath('./build/cache/', WORKSPACE)).toBe(`${WORKSPACE}/build/cache`);
  });

  it('refuses cache paths with .. or that would hide the workspace', () => {
    for (const bad of ['../x', 'a/../../b', '/', '/home/jenkins', WORKSPACE, '.', '']) {
      expect(() => cacheMountPath(bad, WORKSPACE)).toThrow(JenkinsCompileError);
    }
  });

  it('mounts caches read-only for untrusted builds', () => {
    const [m] = cacheMounts({ paths: ['x'] }, { ...scope, readOnly: true });
    expect(m.mount.readOnly).toBe(true);
  });

  it('refuses a cache root that is relative, not normalised or the filesystem root', () => {
    for (const bad of ['cache', '/var/../etc', '/', '/a//b']) expect(() => checkCacheRoot(bad)).toThrow(JenkinsCompileError);
    expect(checkCacheRoot('/var/lib/keelson/')).toBe('/var/lib/keelson');
  });
});
