// A RoleBinding takes effect when the apiserver's RBAC cache has seen it, a moment after it is written. The manager
// asks the apiserver (SelfSubjectAccessReview, which every authenticated user may create) until its new rights
// answer, so the first write into a fresh namespace does not fail with 403.
import type { KubeClient } from '@keelson/kube';

import { DataPlaneError } from './data-plane.errors';
import { kubeFailure } from './secret-data';

const POLL_MS = 100;
const TIMEOUT_MS = 15_000;

interface Review { status?: { allowed?: boolean } }

async function mayWriteSecrets(kube: KubeClient, namespace: string): Promise<boolean> {
  try {
    const review = await kube.post<Review>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      // Patch (server-side apply) of Secrets: the first thing both roles are used for.
      spec: { resourceAttributes: { namespace, verb: 'patch', resource: 'secrets' } },
    });
    return review.status?.allowed === true;
  } catch (err) {
    throw kubeFailure(`asking whether the manager may write Secrets in ${namespace}`, err);
  }
}

/** Resolves once the manager may write Secrets in every namespace given; a retryable error after 15 s. */
export async function awaitManagerAccess(kube: KubeClient, namespaces: string[], timeoutMs = TIMEOUT_MS): Promise<void> {
  // Real time, not the provisioner's clock: tests fix that one.
  const now = () => Date.now();
  const deadline = now() + timeoutMs;
  for (const namespace of namespaces) {
    while (!(await mayWriteSecrets(kube, namespace))) {
      if (now() >= deadline) {
        throw new DataPlaneError('KubeApiFailed', `the manager's RoleBinding keelson-manager in ${namespace} grants nothing yet: is its ClusterRole installed?`, { retryable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
