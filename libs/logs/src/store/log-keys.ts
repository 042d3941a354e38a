// Where an execution's logs live in the project's MinIO (docs/logs.md). Fixed: the garbage collector deletes
// `<namespace>/<pipeline>/<run>/` when an execution goes, and finds orphans by the `execution-uid` metadata.

export const LOGS_BUCKET = 'keelson-logs';

/** User metadata every object carries (S3 `x-amz-meta-execution-uid`): the execution's metadata.uid. */
export const EXECUTION_UID_METADATA = 'execution-uid';

/** The line index holds the byte offset of line 1, 1 + N, 1 + 2N, ... */
export const LINE_INDEX_EVERY = 1000;
/** Width of one entry of the index object: 16 decimal digits and a newline, so entry k is at byte 17k. */
export const INDEX_ENTRY_WIDTH = 17;
const OFFSET_DIGITS = 16;

export interface ExecutionLogRef {
  /** The project: the execution's namespace. */
  namespace: string;
  pipeline: string;
  /** spec.run */
  run: number;
}

export interface StepLogRef extends ExecutionLogRef {
  /** Indices in the config (and in status.stages / steps), from 0. */
  stage: number;
  step: number;
}

export function executionPrefix(ref: ExecutionLogRef): string {
  return `${ref.namespace}/${ref.pipeline}/${ref.run}/`;
}

export function stepPrefix(ref: StepLogRef): string {
  return `${executionPrefix(ref)}${ref.stage}/${ref.step}/`;
}

/** A live chunk, named by its byte offset in the stored (masked) log, zero-padded so lexical order is byte order. */
export function chunkKey(ref: StepLogRef, offset: number): string {
  return `${stepPrefix(ref)}chunks/${String(offset).padStart(OFFSET_DIGITS, '0')}`;
}

export function chunkOffset(key: string): number | undefined {
  const m = /\/chunks\/(\d{16})$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/** The step's whole log, once sealed. */
export function sealedKey(ref: StepLogRef): string {
  return `${stepPrefix(ref)}log`;
}

/** When the sealed log's lines were stored (time-marks.ts); written before the index. Logs sealed before it existed have none. */
export function timesKey(ref: StepLogRef): string {
  return `${stepPrefix(ref)}times`;
}

export function indexKey(ref: StepLogRef): string {
  return `${stepPrefix(ref)}index`;
}

export function indexEntry(offset: number): string {
  return `${String(offset).padStart(OFFSET_DIGITS, '0')}\n`;
}
