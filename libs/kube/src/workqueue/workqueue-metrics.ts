/**
 * Workqueue metrics hooks. Pure TypeScript so the queue needs no metrics library; the binding to prom-client
 * lives elsewhere and uses WORKQUEUE_METRIC_NAMES, the names controller-runtime registers (each labelled with
 * `name`, the queue's name, and controller-runtime also sets `controller` to the same value).
 */
export interface WorkqueueMetrics {
  /** workqueue_depth (gauge): keys waiting for a worker, including keys re-added while being processed. */
  depth(name: string, depth: number): void;
  /** workqueue_adds_total (counter): adds that were not deduplicated away. */
  add(name: string): void;
  /** workqueue_queue_duration_seconds (histogram): time from add to get. */
  queueDuration(name: string, seconds: number): void;
  /** workqueue_work_duration_seconds (histogram): time from get to done. */
  workDuration(name: string, seconds: number): void;
  /** workqueue_retries_total (counter): addAfter and addRateLimited calls, as client-go counts them. */
  retry(name: string): void;
  /** workqueue_unfinished_work_seconds (gauge): summed age of the work in progress; growth means a stuck worker. */
  unfinishedWork(name: string, seconds: number): void;
  /** workqueue_longest_running_processor_seconds (gauge): age of the oldest work in progress. */
  longestRunningProcessor(name: string, seconds: number): void;
}

export const WORKQUEUE_METRIC_NAMES = {
  depth: 'workqueue_depth',
  add: 'workqueue_adds_total',
  queueDuration: 'workqueue_queue_duration_seconds',
  workDuration: 'workqueue_work_duration_seconds',
  retry: 'workqueue_retries_total',
  unfinishedWork: 'workqueue_unfinished_work_seconds',
  longestRunningProcessor: 'workqueue_longest_running_processor_seconds',
} as const satisfies Record<keyof WorkqueueMetrics, string>;

export const noopWorkqueueMetrics: WorkqueueMetrics = {
  depth: () => {},
  add: () => {},
  queueDuration: () => {},
  workDuration: () => {},
  retry: () => {},
  unfinishedWork: () => {},
  longestRunningProcessor: () => {},
};
