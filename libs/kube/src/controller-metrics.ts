import { counter, gauge, histogram } from '@keelson/observability';
import { RECONCILE_METRIC_NAMES, ReconcileMetrics } from './workqueue/reconcile-metrics';
import { WORKQUEUE_METRIC_NAMES, WorkqueueMetrics } from './workqueue/workqueue-metrics';

// The workqueue and runner report through hooks; this binds them to Prometheus under controller-runtime's names.

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function prometheusWorkqueueMetrics(): WorkqueueMetrics {
  const n = WORKQUEUE_METRIC_NAMES;
  const depth = gauge(n.depth, 'Current depth of the workqueue.', ['name', 'controller']);
  const adds = counter(n.add, 'Adds handled by the workqueue.', ['name', 'controller']);
  const queued = histogram(n.queueDuration, 'Seconds an item waits in the workqueue before it is requested.', ['name', 'controller'], SECONDS);
  const work = histogram(n.workDuration, 'Seconds processing an item from the workqueue takes.', ['name', 'controller'], SECONDS);
  const retries = counter(n.retry, 'Retries handled by the workqueue.', ['name', 'controller']);
  const unfinished = gauge(n.unfinishedWork, 'Seconds of work in progress not yet observed by work_duration.', ['name', 'controller']);
  const longest = gauge(n.longestRunningProcessor, 'Seconds the longest running processor has been running.', ['name', 'controller']);
  const l = (name: string) => ({ name, controller: name });
  return {
    depth: (name, value) => depth.set(l(name), value),
    add: (name) => adds.inc(l(name)),
    queueDuration: (name, s) => queued.observe(l(name), s),
    workDuration: (name, s) => work.observe(l(name), s),
    retry: (name) => retries.inc(l(name)),
    unfinishedWork: (name, s) => unfinished.set(l(name), s),
    longestRunningProcessor: (name, s) => longest.set(l(name), s),
  };
}

export function prometheusReconcileMetrics(): ReconcileMetrics {
  const n = RECONCILE_METRIC_NAMES;
  const total = counter(n.reconcileTotal, 'Reconciliations per controller and result.', ['controller', 'result']);
  const errors = counter(n.reconcileError, 'Reconciliation errors per controller.', ['controller']);
  const terminal = counter(n.terminalReconcileError, 'Terminal reconciliation errors per controller.', ['controller']);
  const time = histogram(n.reconcileTime, 'Seconds per reconciliation per controller.', ['controller'], SECONDS);
  const active = gauge(n.activeWorkers, 'Workers in use per controller.', ['controller']);
  const max = gauge(n.maxConcurrentReconciles, 'Maximum concurrent reconciles per controller.', ['controller']);
  return {
    reconcileTotal: (controller, result) => total.inc({ controller, result }),
    reconcileError: (controller) => errors.inc({ controller }),
    terminalReconcileError: (controller) => terminal.inc({ controller }),
    reconcileTime: (controller, s) => time.observe({ controller }, s),
    activeWorkers: (controller, count) => active.set({ controller }, count),
    maxConcurrentReconciles: (controller, count) => max.set({ controller }, count),
  };
}
