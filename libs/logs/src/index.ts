// The only public face of @keelson/logs: masking secrets out of build output, and step logs in MinIO (the only
// importer of `minio`). docs/logs.md has the key layout.
export { LogError, LOG_ERROR_CODES, isLogUnavailable } from './logs.errors';
export type { LogErrorCode } from './logs.errors';
export { maskForms, MIN_SECRET_LENGTH, base64Forms, urlForms, jsonForms } from './masking/secret-forms';
export type { MaskForms, SecretSource } from './masking/secret-forms';
export { SecretMasker, MASK, MAX_LINE_BYTES } from './masking/secret-masker';
export {
  LOGS_BUCKET, EXECUTION_UID_METADATA, LINE_INDEX_EVERY, chunkKey, executionPrefix, indexKey, sealedKey, stepPrefix, timesKey,
} from './store/log-keys';
export type { ExecutionLogRef, StepLogRef } from './store/log-keys';
export { LineScanner } from './store/line-scanner';
export { addTimeMark, decodeTimeMarks, encodeTimeMarks, lineTime } from './store/time-marks';
export type { TimeMark } from './store/time-marks';
export { MinioLogStore } from './store/minio-log-store';
export type { ChunkCursor, LineIndex, LogStoreEndpoint, LogStoreOptions, SealedLog, StepLogView, StoredChunk } from './store/minio-log-store';
export { searchLog, compileSearch, MAX_PATTERN_LENGTH } from './store/log-search';
export type { SearchMatch, SearchQuery, SearchResult } from './store/log-search';
export type { LogObject, LogObjects } from './objects/log-objects.port';
export { MinioLogObjects } from './objects/minio-log-objects';
export type { MinioLogObjectsOptions } from './objects/minio-log-objects';
