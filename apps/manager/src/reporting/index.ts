// Telling the world: commit statuses and notifications of executions (ADR 0007).
export { COMMIT_STATES, COMMIT_STATUS_REPORTER, type CommitState, type CommitStatusDetails, type CommitStatusReporter } from './commit-status.port';
export { commitStateOf, commitStatusDetails, consoleLink, reportsCommitStatus } from './commit-status.mapping';
export { ExecutionReportHook, DEFAULT_REPORT_MAX_AGE_MS } from './execution-report.hook';
export { ReportProcessor } from './report.processor';
export { COMMIT_STATUS_TARGET, reportJobId, type ReportJobData } from './report-jobs';
export { RecordingCommitStatusReporter } from './testing/recording-commit-status.reporter';
