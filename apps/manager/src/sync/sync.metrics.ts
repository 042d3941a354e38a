// Metrics of the sync loop. Names follow Prometheus conventions; the controllers' own use controller-runtime's.
import { counter, histogram } from '@keelson/observability';

export const syncMetrics = {
  runs: counter('keelson_sync_runs_total', 'Sync job runs this process made (one poll of one execution each): with several worker replicas, how the work is spread over them.'),
  buildsStarted: counter('keelson_builds_started_total', 'Builds the sync loop queued in Jenkins.'),
  finished: counter('keelson_executions_finished_total', 'Executions that reached a final phase, by phase.', ['phase']),
  statusWrites: counter('keelson_execution_status_writes_total', 'Status writes of the sync loop to the apiserver.'),
  errors: counter('keelson_sync_errors_total', 'Sync runs that failed unexpectedly (not an unreachable apiserver or Jenkins) and were retried.'),
  lag: histogram('keelson_sync_lag_seconds', 'How late a sync poll ran compared with when it was due.', [], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]),
  startLatency: histogram(
    'keelson_execution_start_latency_seconds',
    'Time an execution spent in each part of its start: queued (waiting for a slot), provisioning (data plane), jenkins_queue (Jenkins queue), pod_scheduling (build pod placed), running.',
    ['part'], [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
  ),
};
