import { KubeConnection } from './kube-connection';
import { KubeError } from './kube-errors';
import { KubeObject } from './resource-types';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchParams {
  path: string;
  resourceVersion: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** The server ends the watch after this long; the caller then resumes from the last version. */
  timeoutSeconds: number;
  /** No byte for this long means a dead connection (bookmarks arrive about once a minute). */
  idleTimeoutMs: number;
}

/**
 * One watch request, consumed to its end. Resolves when the server closes it normally; rejects with a
 * KubeError (410 Gone when the version is too old, status 0 when the connection failed or went idle).
 */
export async function runWatch<T extends KubeObject>(
  conn: KubeConnection, params: WatchParams, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal,
): Promise<void> {
  // An abort that came first (the informer stopped during its list) never fires its event again: end at once
  // instead of opening a watch that lives until the server's timeout.
  if (signal.aborted) return;
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const res = await conn.stream({
      method: 'GET', path: params.path,
      query: {
        watch: 1, resourceVersion: params.resourceVersion, allowWatchBookmarks: true,
        timeoutSeconds: params.timeoutSeconds, labelSelector: params.labelSelector, fieldSelector: params.fieldSelector,
      },
    }, abort.signal);
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      let idle: NodeJS.Timeout;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => fail(new KubeError(0, 'WatchIdle', `no data for ${params.idleTimeoutMs} ms`)), params.idleTimeoutMs);
      };
      const fail = (err: Error) => {
        clearTimeout(idle);
        abort.abort();
        reject(err);
      };
      armIdle();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        armIdle();
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: unknown };
          if (event.type === 'ERROR') {
            const status = event.object as { code?: number };
            return fail(KubeError.fromResponse(status.code ?? 500, status));
          }
          try {
            onEvent(event as WatchEvent<T>);
          } catch (err) {
            return fail(err as Error);
          }
        }
      });
      res.on('end', () => {
        clearTimeout(idle);
        resolve();
      });
      res.on('error', (err) => fail(signal.aborted ? err : new KubeError(0, 'WatchBroken', err.message)));
      res.on('aborted', () => fail(new KubeError(0, 'WatchBroken', 'connection aborted')));
    });
  } finally {
    signal.removeEventListener('abort', onOuterAbort);
  }
}
