// The only public face of @keelson/logs: step logs in each project's MinIO (the only importer of `minio`).
// The key layout is fixed (store/log-keys.ts): the garbage collector deletes `<namespace>/<pipeline>/<run>/` when an
// execution goes, and finds orphans by the `execution-uid` metadata.
export { LogError, LOG_ERROR_CODES, isLogUnavailable } from './logs.errors';
export type { LogErrorCode } from './logs.errors';
export { LOGS_BUCKET, EXECUTION_UID_METADATA, executionPrefix } from './store/log-keys';
export type { ExecutionLogRef } from './store/log-keys';
export type { LogObject, LogObjects } from './objects/log-objects.port';
export { MinioLogObjects } from './objects/minio-log-objects';
export type { MinioEndpoint, MinioLogObjectsOptions } from './objects/minio-log-objects';
