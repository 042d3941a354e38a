// Keys that may be used once: the first claim wins, every later claim of the same key (while it is remembered)
// loses. What makes an OAuth state single-use across replicas.
export interface OneTimeKeys {
  /** true for the first claim of `key`; false while an earlier claim is remembered (`ttlSeconds`). */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  close(): Promise<void>;
}
