// The cache volumes the manager creates for a build (ADR 0004). Baseline Pod Security forbids hostPath in pods,
// and rightly: a pod that names a host path can name any. So the host directory lives in a cluster-scoped
// PersistentVolume only the manager may create, pre-bound to one claim in the build namespace, and the pod
// mounts the claim. One volume per (pipeline, key); each cache path is a subPath of it.
import { JenkinsCompileError } from '../compile.errors';
import { checkCacheRoot, hashOf, sanitizePathSegment } from './cache-paths';
import { pipelineLabels } from './labels';
import type { PersistentVolume, PersistentVolumeClaim } from './pod.types';

export const CACHE_STORAGE_CLASS = 'keelson-cache';
/** Claims and volumes must state a size; a hostPath volume is not limited by it. */
export const CACHE_NOMINAL_SIZE = '10Gi';
const DEFAULT_CACHE_KEY = 'default';
const FORK_KEY_PREFIX = 'fork-';

export interface CacheClaimScope {
  /** The operator's cache root. */
  root: string;
  project: string;
  pipeline: string;
  /** The build namespace, where the claim lives. */
  namespace: string;
  /** Untrusted builds (forks) use keys of their own and never write. */
  trusted: boolean;
}

/** Where one cache key of one pipeline lives, and the names of its volume and claim. */
export interface CacheClaim {
  key: string;
  hostPath: string;
  volumeName: string;
  claimName: string;
}

/** Forks get their own key, so a fork never reads or writes what trusted builds cached. */
export function cacheKey(key: string | undefined, trusted: boolean): string {
  const k = key ?? DEFAULT_CACHE_KEY;
  return trusted ? k : `${FORK_KEY_PREFIX}${k}`;
}

export function cacheClaim(key: string | undefined, scope: CacheClaimScope): CacheClaim {
  const root = checkCacheRoot(scope.root);
  const effective = cacheKey(key, scope.trusted);
  const project = sanitizePathSegment(scope.project);
  const hostPath = [root, project, sanitizePathSegment(scope.pipeline), sanitizePathSegment(effective)].join('/');
  // Defence in depth: sanitised segments never start with a dot, so this holds by construction.
  if (!hostPath.startsWith(`${root}/${project}/`) || hostPath.split('/').some((s) => s === '.' || s === '..')) {
    throw new JenkinsCompileError('InvalidSetting', `cache directory ${JSON.stringify(hostPath)} is not under ${root}/${project}/`);
  }
  // The namespace is part of the identity: a volume is pre-bound to a claim in exactly one namespace.
  const hash = hashOf(`${scope.namespace}\n${hostPath}`, 20);
  return { key: effective, hostPath, volumeName: `keelson-cache-${hash}`, claimName: `cache-${hash}` };
}

export function cacheVolumeObjects(claim: CacheClaim, scope: CacheClaimScope): { volume: PersistentVolume; claim: PersistentVolumeClaim } {
  const labels = pipelineLabels('cache', scope.project, scope.pipeline);
  return {
    volume: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: claim.volumeName, labels },
      spec: {
        capacity: { storage: CACHE_NOMINAL_SIZE },
        accessModes: ['ReadWriteMany'],
        // The directory outlives its claim: it is the cache.
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: CACHE_STORAGE_CLASS,
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: scope.namespace, name: claim.claimName },
        hostPath: { path: claim.hostPath, type: 'DirectoryOrCreate' },
      },
    },
    claim: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim.claimName, namespace: scope.namespace, labels },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: CACHE_STORAGE_CLASS,
        volumeName: claim.volumeName,
        resources: { requests: { storage: CACHE_NOMINAL_SIZE } },
      },
    },
  };
}
