// Objects a data plane made before the builds namespace existed (ADR 0004): the build ServiceAccount, the push
// Secrets and Jenkins' pod rights lived in `<project>-pipeline`. Left there, they would let a pod in the data-plane
// namespace run as the build account, and Jenkins keep creating pods next to the admin and MinIO Secrets. Each is
// deleted only when it carries our managed-by label, by uid, so a same-named object of someone else stays.
import { Core, isNotFound, KubeClient, ResourceType } from '@keelson/kube';
import type { Logger } from '@keelson/observability';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { LABELS, NAMES } from './data-plane.names';
import { kubeFailure } from './secret-data';

export const PIPELINE_LEFTOVERS: ReadonlyArray<{ type: ResourceType; name: string }> = [
  { type: Core.Secret, name: NAMES.registryPushSecret },
  { type: Core.Secret, name: NAMES.registryCaSecret },
  { type: Core.ServiceAccount, name: NAMES.buildServiceAccount },
  { type: Core.RoleBinding, name: NAMES.jenkinsRole },
  { type: Core.Role, name: NAMES.jenkinsRole },
];

export async function removePipelineLeftovers(kube: KubeClient, input: ResolvedDataPlaneInput, log: Logger): Promise<void> {
  for (const { type, name } of PIPELINE_LEFTOVERS) {
    const what = `${type.kind} ${input.namespace}/${name}`;
    try {
      const found = await kube.resource(type).find(input.namespace, name);
      if (found?.metadata.labels?.[LABELS.managedBy] !== 'keelson') continue;
      await kube.resource(type).delete(input.namespace, name, { uid: found.metadata.uid });
      log.info({ kind: type.kind, name }, 'removed from the data-plane namespace: it belongs to the builds namespace now');
    } catch (err) {
      if (!isNotFound(err)) throw kubeFailure(`removing ${what}`, err);
    }
  }
}
