// What an object looks like in an API answer: never a secret, never the bookkeeping of field managers. Copies
// along the changed path only; the informer's cached object is never touched.
import type { KubeObject } from '@keelson/kube';
import { WEBHOOK_PROOF_ANNOTATION } from '../../hooks/webhook-proof';
import type { ResourceDef } from './resource-kinds';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Annotations no answer shows: kubectl's copy of whatever was applied (any field of it, typed by anyone, could
 * carry a secret) and the manager's proof on webhook executions (an HMAC under its key: nobody's business).
 */
export const HIDDEN_ANNOTATIONS: readonly string[] = [LAST_APPLIED_ANNOTATION, WEBHOOK_PROOF_ANNOTATION];

/** Fields the API adds to an answer and ignores on the way back in. */
export const READ_ONLY_FIELDS = ['summary'] as const;

export function present(def: Pick<ResourceDef, 'apiVersion' | 'kind'>, obj: KubeObject, extra: Record<string, unknown> = {}): KubeObject {
  const { managedFields: _managed, annotations, ...metadata } = obj.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  const visible = annotations && Object.fromEntries(Object.entries(annotations).filter(([k]) => !HIDDEN_ANNOTATIONS.includes(k)));
  const { apiVersion: _v, kind: _k, metadata: _m, ...rest } = obj;
  return {
    apiVersion: def.apiVersion, kind: def.kind,
    metadata: { ...metadata, ...(visible && Object.keys(visible).length > 0 && { annotations: visible }) },
    ...rest, ...extra,
  };
}
