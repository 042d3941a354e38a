/**
 * Reconcile metrics hooks with controller-runtime's names (RECONCILE_METRIC_NAMES), each labelled `controller`;
 * bound to prom-client outside this lib's pure core.
 */
export type ReconcileOutcomeLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

export interface ReconcileMetrics {
  /** controller_runtime_reconcile_total{controller,result} (counter). */
  reconcileTotal(controller: string, result: ReconcileOutcomeLabel): void;
  /** controller_runtime_reconcile_errors_total (counter): retryable and terminal errors. */
  reconcileError(controller: string): void;
  /** controller_runtime_terminal_reconcile_errors_total (counter). */
  terminalReconcileError(controller: string): void;
  /** controller_runtime_reconcile_time_seconds (histogram). */
  reconcileTime(controller: string, seconds: number): void;
  /** controller_runtime_active_workers (gauge): workers inside a reconcile right now. */
  activeWorkers(controller: string, count: number): void;
  /** controller_runtime_max_concurrent_reconciles (gauge): the worker count, set on start. */
  maxConcurrentReconciles(controller: string, count: number): void;
}

export const RECONCILE_METRIC_NAMES = {
  reconcileTotal: 'controller_runtime_reconcile_total',
  reconcileError: 'controller_runtime_reconcile_errors_total',
  terminalReconcileError: 'controller_runtime_terminal_reconcile_errors_total',
  reconcileTime: 'controller_runtime_reconcile_time_seconds',
  activeWorkers: 'controller_runtime_active_workers',
  maxConcurrentReconciles: 'controller_runtime_max_concurrent_reconciles',
} as const satisfies Record<keyof ReconcileMetrics, string>;

export const noopReconcileMetrics: ReconcileMetrics = {
  reconcileTotal: () => {},
  reconcileError: () => {},
  terminalReconcileError: () => {},
  reconcileTime: () => {},
  activeWorkers: () => {},
  maxConcurrentReconciles: () => {},
};
