// The scm machinery assembled from the manager's config: provider calls follow the operator's outbound policy.
import type { Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { COMMIT_STATUS_REPORTER } from '../reporting/commit-status.port';
import { outboundPolicy } from '../pipelines/pipelines.providers';
import { CONFIG, KUBE } from '../tokens';
import { ScmAccess } from './scm-access';
import { ScmCommitStatusReporter } from './scm-commit-status.reporter';

export const SCM_ACCESS = Symbol('ScmAccess');

export const scmProviders: Provider[] = [
  { provide: SCM_ACCESS, useFactory: (kube: KubeClient, config: ManagerConfig) => new ScmAccess(kube, { policy: outboundPolicy(config) }), inject: [KUBE, CONFIG] },
  { provide: COMMIT_STATUS_REPORTER, useFactory: (kube: KubeClient, access: ScmAccess) => new ScmCommitStatusReporter(kube, access), inject: [KUBE, SCM_ACCESS] },
];
