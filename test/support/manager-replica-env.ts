// The environment of one manager replica as the Helm chart's Deployment gives it (charts/keelson), in one place,
// so the harness's replicas run with the chart's settings and this can later be derived from the rendered chart:
//   ROLES                       unset in the combined Deployment (every role), one role per Deployment when split
//   POD_NAME                    the pod's name (downward API): the replica's identity in the Lease
//   POD_NAMESPACE               the release namespace
//   LEADER_ELECTION_NAMESPACE   the release namespace: the Lease `keelson-controllers` lives there
//   REDIS_URL, REDIS_PREFIX     one Redis and one prefix per release, shared by every replica
//   PORT                        the container port
// In a cluster KUBECONFIG is absent (the ServiceAccount token is used); here a kubeconfig file stands in for it.
// What the harness adds for tests (the Jenkins double's URL template, file repositories, poll knobs) comes from
// KeelsonStack.managerEnvironment(), below the chart's settings so it can never override them.
import type { Role } from '@keelson/config';

export interface ReplicaEnvOptions {
  /** POD_NAME, e.g. `keelson-7d9f-a`. */
  podName: string;
  /** The release namespace (POD_NAMESPACE and LEADER_ELECTION_NAMESPACE). */
  releaseNamespace: string;
  /** The Deployment's roles; undefined for the combined Deployment, which leaves ROLES unset. */
  roles?: readonly Role[];
  redisUrl: string;
  redisPrefix: string;
  port: number;
  /** Stands in for the pod's ServiceAccount token outside a cluster. */
  kubeconfig: string;
  /** The harness's own settings for tests (KeelsonStack.managerEnvironment()) and per-test knobs. */
  harness?: NodeJS.ProcessEnv;
}

/** Variables the chart sets itself: a harness value for one of them is dropped, never passed through. */
export const CHART_MANAGED_VARIABLES = ['ROLES', 'POD_NAME', 'POD_NAMESPACE', 'LEADER_ELECTION_NAMESPACE', 'REDIS_URL', 'REDIS_PREFIX', 'PORT', 'KUBECONFIG'] as const;

export function managerReplicaEnv(options: ReplicaEnvOptions): Record<string, string> {
  if (options.roles && options.roles.length === 0) throw new Error(`roles of ${options.podName}: give at least one role, or none for the combined Deployment`);
  const harness = Object.entries(options.harness ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string' && !(CHART_MANAGED_VARIABLES as readonly string[]).includes(e[0]));
  return {
    ...Object.fromEntries(harness),
    ...(options.roles && { ROLES: options.roles.join(',') }),
    POD_NAME: options.podName,
    POD_NAMESPACE: options.releaseNamespace,
    LEADER_ELECTION_NAMESPACE: options.releaseNamespace,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    PORT: String(options.port),
    KUBECONFIG: options.kubeconfig,
  };
}
