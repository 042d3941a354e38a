// Small builders shared by the component files: metadata, Secrets, PVCs, security contexts, checksums.
import { createHash } from 'node:crypto';
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { commonLabels } from './data-plane.names';

/** Metadata of an object in `<project>-pipeline`, or in `namespace` (the builds namespace) when given. */
export function objectMeta(
  input: ResolvedDataPlaneInput, name: string, labels: Record<string, string> = commonLabels(input.project), namespace = input.namespace,
): KubeObject['metadata'] {
  return { name, namespace, labels };
}

export function secretObject(
  input: ResolvedDataPlaneInput, name: string, type: string, data: Record<string, string>, labels?: Record<string, string>, namespace = input.namespace,
): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: objectMeta(input, name, labels, namespace), type, data: encoded };
}

export function pvcObject(input: ResolvedDataPlaneInput, name: string, size: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: objectMeta(input, name, labels),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(input.storage.storageClassName !== undefined && { storageClassName: input.storage.storageClassName }),
    },
  };
}

/** Pod Security "restricted" at pod level; `uid` owns the volumes through fsGroup. */
export function podSecurityContext(uid: number): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

export function containerSecurityContext(): Record<string, unknown> {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}

/** A pod-template annotation that changes when `parts` change, so the Deployment rolls its pod. */
export function checksum(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part, 'utf8').update('\0');
  return hash.digest('hex');
}

export const CHECKSUM_ANNOTATION = 'keelson.dev/config-checksum';
