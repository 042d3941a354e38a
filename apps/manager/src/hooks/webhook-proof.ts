// Proof that the manager's own intake made an execution from an event: an HMAC, under a key only the manager's
// namespace holds, over everything the event decided (repository, commit, ref, fork, trigger). The admission
// policy already keeps anyone else from writing those fields (ADR 0004); this holds where the policy is missing
// (defence in depth): an execution that carries a delivery id without a valid proof is completed as a manual
// run, from its Pipeline, and whatever else it says is dropped.
import { createHmac } from 'node:crypto';
import type { PipelineExecution } from '@keelson/crds';
import { equalInConstantTime } from '@keelson/webhooks';

export const WEBHOOK_PROOF_ANNOTATION = 'keelson.dev/webhook-proof';

/** Source of the manager's signing key (OAuthStateKey: OAUTH_STATE_KEY or its generated Secret). */
export type ManagerKey = () => Promise<Buffer>;

type Signed = Pick<PipelineExecution, 'metadata' | 'spec'>;

function proof(key: Buffer, exe: Signed): string {
  const { spec, metadata } = exe;
  // A fixed field order: JSON of these values, nothing the API server may reorder or default.
  const facts = [
    metadata.namespace, metadata.name, spec.pipelineRef.name, spec.trigger?.event, spec.trigger?.deliveryId, spec.repositoryUrl,
    spec.commit ?? null, spec.ref ?? null, spec.branch ?? null, spec.tag ?? null, spec.fork,
  ];
  const purpose = createHmac('sha256', key).update('keelson webhook execution v1').digest();
  return createHmac('sha256', purpose).update(JSON.stringify(facts)).digest('base64url');
}

/** The execution with its proof annotation. */
export function withWebhookProof<T extends Signed>(key: Buffer, exe: T): T {
  exe.metadata.annotations = { ...exe.metadata.annotations, [WEBHOOK_PROOF_ANNOTATION]: proof(key, exe) };
  return exe;
}

export function hasWebhookProof(key: Buffer, exe: Signed): boolean {
  const sent = exe.metadata.annotations?.[WEBHOOK_PROOF_ANNOTATION];
  return sent !== undefined && equalInConstantTime(Buffer.from(sent), Buffer.from(proof(key, exe)));
}
