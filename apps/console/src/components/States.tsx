// The designed non-happy states: loading, empty, error (with the problem's title and detail), degraded.
import { AlertTriangle, Inbox, Loader2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { ApiError } from '../api/problem';
import styles from './States.module.css';

export function Loading({ what }: { what: string }) {
  return (
    <div className={styles.state} role="status" aria-live="polite">
      <Loader2 size={18} aria-hidden="true" className={styles.spin} />
      <span>Loading {what}…</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className={styles.state}>
      <Inbox size={20} aria-hidden="true" />
      <div>
        <p className={styles.title}>{title}</p>
        {children && <div className={styles.detail}>{children}</div>}
      </div>
    </div>
  );
}

export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const title = error instanceof ApiError ? error.problem.title : 'Something went wrong';
  const detail = error instanceof ApiError ? error.problem.detail : error instanceof Error ? error.message : String(error);
  const retry = error instanceof ApiError && error.retryAfterSeconds ? ` The manager asks to retry in ${error.retryAfterSeconds}s.` : '';
  return (
    <div className={`${styles.state} ${styles.error}`} role="alert">
      <AlertTriangle size={20} aria-hidden="true" />
      <div>
        <p className={styles.title}>Could not load {what}: {title}</p>
        <p className={styles.detail}>{detail}{retry}</p>
        {error instanceof ApiError && error.problem.errors?.length ? (
          <ul className={styles.detail}>
            {error.problem.errors.map((e) => <li key={e.pointer}><code>{e.pointer}</code>: {e.detail}</li>)}
          </ul>
        ) : null}
        {onRetry && <button type="button" className={styles.retry} onClick={onRetry}>Retry</button>}
      </div>
    </div>
  );
}
