import type { PipelineExecution } from '@keelson/crds';
import { hasWebhookProof, withWebhookProof, WEBHOOK_PROOF_ANNOTATION } from './webhook-proof';

const key = Buffer.alloc(32, 1);
const execution = (): PipelineExecution => ({
  apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
  metadata: { name: 'web-abc', namespace: 'demo' },
  spec: {
    pipelineRef: { name: 'web' }, trigger: { event: 'pull_request', deliveryId: 'd-1' }, repositoryUrl: 'https://github.com/x/widget.git',
    commit: 'a'.repeat(40), ref: 'refs/pull/1/head', branch: 'main', fork: true, stop: false,
  },
} as PipelineExecution);

describe('webhook proof', () => {
  it('verifies what the intake signed, and nothing signed with another key', () => {
    const signed = withWebhookProof(key, execution());
    expect(signed.metadata.annotations?.[WEBHOOK_PROOF_ANNOTATION]).toMatch(/^[\w-]{43}$/);
    expect(hasWebhookProof(key, signed)).toBe(true);
    expect(hasWebhookProof(Buffer.alloc(32, 2), signed)).toBe(false);
    expect(hasWebhookProof(key, execution())).toBe(false);
  });

  it('breaks when any field the event decided is changed', () => {
    const changes: Array<(e: PipelineExecution) => void> = [
      (e) => { e.spec.repositoryUrl = 'https://evil.example/steal.git'; },
      (e) => { e.spec.fork = false; },
      (e) => { e.spec.commit = 'b'.repeat(40); },
      (e) => { e.spec.ref = 'refs/heads/main'; },
      (e) => { e.spec.branch = 'release'; },
      (e) => { e.spec.tag = 'v1'; },
      (e) => { e.spec.trigger = { event: 'push', deliveryId: 'd-1' }; },
      (e) => { e.spec.trigger = { event: 'pull_request', deliveryId: 'd-2' }; },
      (e) => { e.spec.pipelineRef = { name: 'other' }; },
      (e) => { e.metadata.name = 'web-xyz'; },
      (e) => { e.metadata.namespace = 'other'; },
    ];
    for (const change of changes) {
      const signed = withWebhookProof(key, execution());
      change(signed);
      expect(hasWebhookProof(key, signed)).toBe(false);
    }
  });
});
