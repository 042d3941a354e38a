// hostPath cache volumes (DESIGN §5). The host directory is derived only from sanitised components under the
// project's cache root, `<root>/<project>/<pipeline>/<key>/<path>`, so no user text can point it elsewhere
// and tenants and pipelines never share a directory.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

import type { Cache } from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';
import type { Volume, VolumeMount } from './pod.types';

/** The Kubernetes plugin's agent working directory; the workspace volume is mounted here in every container. */
export const AGENT_WORKDIR = '/home/jenkins/agent';
const DEFAULT_CACHE_KEY = 'default';
const MAX_SEGMENT = 80;

export function workspacePath(jobName: string): string {
  return `${AGENT_WORKDIR}/workspace/${jobName}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 10);
}

/**
 * One directory name from any text: only `[A-Za-z0-9._-]`, never starting with a dot (so never `.` or `..`),
 * and suffixed with a hash of the original whenever it had to change, so `a/b` and `a_b` stay distinct.
 */
export function sanitizePathSegment(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_').slice(0, MAX_SEGMENT) || '_';
  return cleaned === raw ? cleaned : `${cleaned}-${shortHash(raw)}`;
}

export function checkCacheRoot(root: string): string {
  const trimmed = root.length > 1 ? root.replace(/\/+$/, '') : root;
  if (!trimmed.startsWith('/') || trimmed === '/' || posix.normalize(trimmed) !== trimmed || trimmed.includes('\0')) {
    throw new JenkinsCompileError('InvalidSetting', `cache root must be a normalised absolute directory, got ${JSON.stringify(root)}`);
  }
  return trimmed;
}

/** Where a cache path is mounted in a step container: relative paths are relative to the workspace. */
export function cacheMountPath(path: string, workspace: string): string {
  const invalid = (why: string) => new JenkinsCompileError('InvalidCachePath', `cache path ${JSON.stringify(path)} ${why}`);
  if (path.length === 0 || path.includes('\0')) throw invalid('is empty or contains NUL');
  if (path.split('/').includes('..')) throw invalid('contains ..');
  const mount = posix.normalize(path.startsWith('/') ? path : posix.join(workspace, path)).replace(/\/+$/, '');
  if (mount === '' || mount === workspace || `${workspace}/`.startsWith(`${mount}/`)) {
    throw invalid('would hide the workspace');
  }
  return mount;
}

export interface CacheMount {
  volume: Volume;
  mount: VolumeMount;
}

export interface CacheScope {
  root: string;
  project: string;
  pipeline: string;
  workspace: string;
  /** Fork pull requests read the cache but never write it (no poisoning). */
  readOnly: boolean;
}

export function cacheMounts(cache: Cache | undefined, scope: CacheScope): CacheMount[] {
  if (!cache) return [];
  const base = [scope.project, scope.pipeline, cache.key ?? DEFAULT_CACHE_KEY].map(sanitizePathSegment);
  return cache.paths.map((path) => {
    const hostPath = [scope.root, ...base, sanitizePathSegment(path)].join('/');
    const name = `cache-${shortHash(hostPath)}`;
    return {
      volume: { name, hostPath: { path: hostPath, type: 'DirectoryOrCreate' } },
      mount: { name, mountPath: cacheMountPath(path, scope.workspace), readOnly: scope.readOnly },
    };
  });
}
