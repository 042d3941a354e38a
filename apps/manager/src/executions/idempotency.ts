// Idempotency-Key for run and rerun: a client that retries after a timeout gets the execution its first request
// made, not a second build. The key lives on the execution itself (a label holding a hash of user and key), so
// any replica finds it through the apiserver, and it is remembered exactly as long as that execution exists.
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_LABEL = 'keelson.dev/idempotency-key';
/** A hash of what the keyed request asked for, so that the key reused for another request is refused (422). */
export const IDEMPOTENCY_REQUEST_ANNOTATION = 'keelson.dev/idempotency-request';

/** What a keyed request asks for: a run at a branch or commit, or a rerun of an execution. */
export type IdempotentRequest = { run: { branch?: string; commit?: string } } | { rerunOf: string };

/** The annotation value of one request: equal for a retry of it, different for any other request. */
export function idempotencyRequestHash(request: IdempotentRequest): string {
  const what = 'rerunOf' in request ? ['rerun', request.rerunOf] : ['run', request.run.branch ?? null, request.run.commit ?? null];
  return createHash('sha256').update(JSON.stringify(what), 'utf8').digest('hex').slice(0, 48);
}

/**
 * The label value of one user's key: the user is part of it, so two users never share a key, and a hash, so any
 * printable key fits a label value (at most 63 characters) and the key itself is not stored.
 */
export function idempotencyLabelValue(user: string, key: string): string {
  return createHash('sha256').update(JSON.stringify([user, key]), 'utf8').digest('hex').slice(0, 48);
}

/**
 * Runs the tasks given for one key one after the other, within this process, so two concurrent requests with the
 * same key never both miss the lookup and both create. Across replicas the label lookup still narrows the window
 * to the time one create takes.
 */
export class KeyedSerializer {
  private readonly chains = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.chains.set(key, next);
    void next.finally(() => this.chains.get(key) === next && this.chains.delete(key)).catch(() => undefined);
    return next;
  }

  get size(): number {
    return this.chains.size;
  }
}
