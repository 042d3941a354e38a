// Paths of caches, on the node and in the containers (DESIGN §5, ADR 0004). Host directories are built only from
// sanitised components under the operator's cache root, `<root>/<project>/<pipeline>/<key>/<path>`, so no user
// text can point one elsewhere, and tenants and pipelines never share a directory.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

import { JenkinsCompileError } from '../compile.errors';

/** The Kubernetes plugin's agent working directory; the workspace volume is mounted here in every container. */
export const AGENT_WORKDIR = '/home/jenkins/agent';
const MAX_SEGMENT = 80;
/** Where each cache key's node directory is mounted whole in a step container, for the lock and the stamp. */
export const CACHE_CONTROL_DIR = '/.keelson-cache';

export function workspacePath(jobName: string): string {
  return `${AGENT_WORKDIR}/workspace/${jobName}`;
}

export function hashOf(text: string, length = 10): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/**
 * One directory name from any text: only `[A-Za-z0-9._-]`, never starting with a dot (so never `.` or `..`),
 * and suffixed with a hash of the original whenever it had to change, so `a/b` and `a_b` stay distinct.
 */
export function sanitizePathSegment(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_').slice(0, MAX_SEGMENT) || '_';
  return cleaned === raw ? cleaned : `${cleaned}-${hashOf(raw)}`;
}

/**
 * The operator's cache root (manager configuration, never a tenant's object): a normalised absolute directory
 * other than `/`, without `.` or `..` segments or control characters. Any such directory is accepted, `/etc`
 * included: choosing it is the operator's call. A trailing slash is dropped.
 */
export function checkCacheRoot(root: string): string {
  const trimmed = root.length > 1 ? root.replace(/\/+$/, '') : root;
  const control = /[\u0000-\u001f\u007f]/.test(trimmed);
  if (!trimmed.startsWith('/') || trimmed === '/' || posix.normalize(trimmed) !== trimmed || control) {
    throw new JenkinsCompileError('InvalidSetting', `cache root must be a normalised absolute directory other than /, got ${JSON.stringify(root)}`);
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
  if (mount === CACHE_CONTROL_DIR || mount.startsWith(`${CACHE_CONTROL_DIR}/`) || `${CACHE_CONTROL_DIR}/`.startsWith(`${mount}/`)) {
    throw invalid(`is reserved: Keelson mounts its cache directories at ${CACHE_CONTROL_DIR}`);
  }
  return mount;
}
