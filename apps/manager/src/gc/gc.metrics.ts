// Metrics of garbage collection (issue 12 §4): what went, and why.
import { counter } from '@keelson/observability';

export const gcMetrics = {
  executionsPruned: counter('keelson_gc_executions_pruned_total', 'Finished executions deleted beyond a history limit, by limit (pipeline or project).', ['limit']),
  logObjectsDeleted: counter('keelson_gc_log_objects_deleted_total', 'Log objects deleted from a project\'s MinIO, by cause (execution_deleted: its finalizer; retention: logRetentionDays); orphans are counted apart.', ['cause']),
  logsExpired: counter('keelson_gc_logs_expired_total', 'Executions whose logs logRetentionDays deleted (status.log Expired).'),
  orphanObjects: counter('keelson_gc_orphan_objects_swept_total', 'Log objects swept because their execution no longer exists (or another execution has its name).'),
  orphanJobs: counter('keelson_gc_orphan_jobs_swept_total', 'Jenkins jobs swept because their execution no longer exists.'),
  sweepErrors: counter('keelson_gc_sweep_errors_total', 'Project sweeps that failed (MinIO, Jenkins or the apiserver unavailable) and wait for the next one.'),
};
