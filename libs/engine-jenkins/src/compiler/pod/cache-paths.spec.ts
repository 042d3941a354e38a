import fc from 'fast-check';

import { JenkinsCompileError } from '../compile.errors';
import { adversarialString } from '../testing/adversarial.arbitrary';
import { cacheMountPath, checkCacheRoot, sanitizePathSegment } from './cache-paths';

const WORKSPACE = '/home/jenkins/agent/workspace/web';

describe('cache paths', () => {
  it('keeps simple names as they are', () => {
    expect(sanitizePathSegment('node_modules')).toBe('node_modules');
  });

  it('turns any text into one safe directory name, never . or .., distinct for distinct texts', () => {
    expect(sanitizePathSegment('a/b')).not.toBe(sanitizePathSegment('a_b'));
    for (const dots of ['.', '..', '...']) expect(sanitizePathSegment(dots)).toMatch(/^_/);
    fc.assert(fc.property(adversarialString, (raw) => {
      const seg = sanitizePathSegment(raw);
      expect(seg).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(seg.length).toBeLessThanOrEqual(91);
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
});

describe('checkCacheRoot', () => {
  it.each([
    ['a relative path', 'var/cache'],
    ['an empty path', ''],
    ['the filesystem root', '/'],
    ['the filesystem root written twice', '//'],
    ['a .. segment', '/var/../etc'],
    ['a trailing .. segment', '/var/lib/..'],
    ['a . segment', '/var/./cache'],
    ['a doubled slash', '/var//cache'],
    ['a NUL', '/var/cache\0x'],
    ['a line break', '/var/cache\n/etc'],
  ])('refuses %s', (_what, root) => {
    expect(() => checkCacheRoot(root)).toThrow(expect.objectContaining({ code: 'InvalidSetting', message: expect.stringContaining('cache root') }));
  });

  it('drops a trailing slash', () => {
    expect(checkCacheRoot('/var/lib/keelson/')).toBe('/var/lib/keelson');
  });

  it('accepts any other absolute directory, /etc included: the root is the operator\'s choice, never a tenant\'s', () => {
    expect(checkCacheRoot('/etc')).toBe('/etc');
    expect(checkCacheRoot('/var/lib/keelson/cache')).toBe('/var/lib/keelson/cache');
  });
});
