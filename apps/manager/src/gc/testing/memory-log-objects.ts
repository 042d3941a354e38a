// LogObjects in memory, for unit tests of the collector: what is stored, and what was asked.
import { LogError, type LogObject, type LogObjects } from '@keelson/logs';

export class MemoryLogObjects implements LogObjects {
  readonly objects = new Map<string, LogObject>();
  readonly removed: string[][] = [];
  /** Set to make every call fail as an unreachable MinIO does. */
  down = false;

  put(key: string, executionUid?: string): this {
    this.objects.set(key, { key, size: 1, ...(executionUid && { executionUid }) });
    return this;
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  async *list(prefix: string): AsyncIterable<LogObject> {
    if (this.down) throw new LogError('Unavailable', `listing ${prefix}: MinIO is unavailable (ECONNREFUSED)`);
    for (const key of this.keys()) if (key.startsWith(prefix)) yield this.objects.get(key)!;
  }

  async remove(keys: readonly string[]): Promise<number> {
    if (this.down) throw new LogError('Unavailable', `deleting ${keys.length} objects: MinIO is unavailable (ECONNREFUSED)`);
    this.removed.push([...keys]);
    for (const key of keys) this.objects.delete(key);
    return keys.length;
  }
}
