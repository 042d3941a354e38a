import { posix } from 'node:path';

import fc from 'fast-check';

import { adversarialString } from '../testing/adversarial.arbitrary';
import { cacheClaim, cacheKey, cacheVolumeObjects } from './cache-claims';

const scope = { root: '/var/lib/keelson/cache', project: 'team-a', pipeline: 'web', namespace: 'team-a-builds', trusted: true };
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

describe('cache claims', () => {
  it('puts one key of one pipeline in <root>/<project>/<pipeline>/<key>', () => {
    expect(cacheClaim('deps', scope).hostPath).toBe('/var/lib/keelson/cache/team-a/web/deps');
    expect(cacheClaim(undefined, scope).hostPath).toBe('/var/lib/keelson/cache/team-a/web/default');
  });

  it('gives forks a key of their own, so they never share a directory with trusted builds', () => {
    expect(cacheKey('deps', false)).toBe('fork-deps');
    expect(cacheKey(undefined, false)).toBe('fork-default');
    const fork = cacheClaim('deps', { ...scope, trusted: false });
    expect(fork.hostPath).toBe('/var/lib/keelson/cache/team-a/web/fork-deps');
    expect(fork.claimName).not.toBe(cacheClaim('deps', scope).claimName);
  });

  it('names the volume and the claim deterministically, by directory and build namespace', () => {
    const claim = cacheClaim('deps', scope);
    expect(claim).toEqual(cacheClaim('deps', { ...scope }));
    expect(claim.volumeName).toMatch(/^keelson-cache-[0-9a-f]{20}$/);
    expect(claim.claimName).toBe(claim.volumeName.replace(/^keelson-/, ''));
    expect(cacheClaim('other', scope).volumeName).not.toBe(claim.volumeName);
    expect(cacheClaim('deps', { ...scope, pipeline: 'api' }).volumeName).not.toBe(claim.volumeName);
    expect(cacheClaim('deps', { ...scope, namespace: 'team-a-other' }).volumeName).not.toBe(claim.volumeName);
  });

  it('never places a directory outside <root>/<project>/, and always names objects validly, whatever the text', () => {
    fc.assert(fc.property(adversarialString, adversarialString, adversarialString, fc.boolean(), (project, pipeline, key, trusted) => {
      const claim = cacheClaim(key, { ...scope, project, pipeline, trusted });
      expect(posix.normalize(claim.hostPath)).toBe(claim.hostPath);
      const parts = claim.hostPath.split('/');
      expect(parts.length).toBe(8);
      expect(parts.slice(5).every((p) => p !== '.' && p !== '..' && p.length > 0)).toBe(true);
      expect(claim.hostPath.startsWith('/var/lib/keelson/cache/')).toBe(true);
      expect(claim.volumeName).toMatch(DNS_SUBDOMAIN);
      expect(claim.claimName).toMatch(DNS_LABEL);
    }), { numRuns: 3000 });
  });

  it('builds a Retain hostPath volume pre-bound to a claim in the build namespace, and the claim pre-bound to it', () => {
    const claim = cacheClaim('deps', scope);
    const objects = cacheVolumeObjects(claim, scope);
    const labels = {
      'app.kubernetes.io/managed-by': 'keelson', 'app.kubernetes.io/component': 'cache', 'keelson.dev/project': 'team-a', 'keelson.dev/pipeline': 'web',
    };
    expect(objects.volume).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: claim.volumeName, labels },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'keelson-cache',
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'team-a-builds', name: claim.claimName },
        hostPath: { path: '/var/lib/keelson/cache/team-a/web/deps', type: 'DirectoryOrCreate' },
      },
    });
    expect(objects.claim).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim.claimName, namespace: 'team-a-builds', labels },
      spec: {
        accessModes: ['ReadWriteMany'], storageClassName: 'keelson-cache', volumeName: claim.volumeName, resources: { requests: { storage: '10Gi' } },
      },
    });
  });

  it('refuses an invalid cache root', () => {
    expect(() => cacheClaim('deps', { ...scope, root: '/var/../etc' })).toThrow(expect.objectContaining({ code: 'InvalidSetting' }));
  });
});
