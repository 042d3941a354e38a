export { KubeClient } from './kube-client';
export { KubeConnection, KubeSource } from './kube-connection';
export { PodExecRequest, PodExecResult } from './pod-exec';
export { KubeError, isNotFound, isConflict, isAlreadyExists, isGone, type KubeErrorCause } from './kube-errors';
export { ResourceClient, ListOptions, ObjectList, WriteOptions } from './resource-client';
export { ResourceType, KubeObject, ObjectOf, Keelson, Core, Lease, Node, Pod, apiVersionOf } from './resource-types';
export { Informer, InformerHandlers, InformerOptions, objectKey } from './informer';
export { LeaderElector, LeaderElectionOptions } from './leader-elector';
export { retryOnConflict } from './retry-on-conflict';
export { jitteredBackoff } from './backoff';
export { Clock, TimerHandle, TimerOptions, RealClock, realClock } from './workqueue/clock';
export { FakeClock } from './workqueue/fake-clock';
export {
  RateLimiter, ExponentialFailureRateLimiter, ExponentialFailureOptions, MaxOfRateLimiter, createControllerRateLimiter,
  ControllerRateLimiterOptions, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS,
} from './workqueue/rate-limiter';
export { BucketRateLimiter, BucketRateLimiterOptions } from './workqueue/bucket-rate-limiter';
export { WorkqueueMetrics, WORKQUEUE_METRIC_NAMES, noopWorkqueueMetrics } from './workqueue/workqueue-metrics';
export { Workqueue, WorkqueueItem, WorkqueueOptions, DEFAULT_DRAIN_TIMEOUT_MS } from './workqueue/workqueue';
export { ReconcileResult, ReconcileResultKind } from './workqueue/reconcile-result';
export { ReconcileMetrics, ReconcileOutcomeLabel, RECONCILE_METRIC_NAMES, noopReconcileMetrics } from './workqueue/reconcile-metrics';
export { ReconcileRunner, ReconcileContext, ReconcileFn, ReconcileFailure, ReconcileRunnerOptions } from './workqueue/reconcile-runner';
export { prometheusWorkqueueMetrics, prometheusReconcileMetrics } from './controller-metrics';
export { reviewToken, checkAccess, ReviewedUser, TokenReviewResult, AccessAttributes, NonResourceAccessAttributes, AccessDecision } from './authn-authz';
