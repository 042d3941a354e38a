// The log objects of one project's MinIO as the garbage collector sees them (issue 12 §4): listed with the
// execution each belongs to, and deleted. A port, so the collector is tested without MinIO and the log writer and
// the collector share one adapter of the bucket (MinioLogObjects).

export interface LogObject {
  key: string;
  size: number;
  lastModified?: Date;
  /** The `execution-uid` user metadata (EXECUTION_UID_METADATA); absent when the object has none. */
  executionUid?: string;
}

export interface LogObjects {
  /**
   * Every object whose key starts with `prefix`, in key order; nothing when the bucket does not exist yet or there is
   * no MinIO (its host name does not resolve).
   */
  list(prefix: string): AsyncIterable<LogObject>;
  /**
   * Deletes the keys (a key already gone counts as deleted); resolves with how many were asked, or fails with a
   * LogError naming how many could not be deleted, so the caller tries again later.
   */
  remove(keys: readonly string[]): Promise<number>;
}
