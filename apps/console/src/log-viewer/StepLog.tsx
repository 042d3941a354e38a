// A step's log from the API in the viewer, with its designed states (loading, unavailable, error) and the
// #L120-L140 selection kept in the URL hash.
import { Download } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError } from '../api/problem';
import { useLocation, useNavigate } from 'react-router';
import { ErrorState, Loading } from '../components/States';
import { formatLineHash, parseLineHash, selectLine } from './line-links';
import { LogViewer } from './LogViewer';
import styles from './LogViewer.module.css';
import type { StepRef } from './step-log-store';
import { useStepLog } from './useStepLog';

/** `stepStart`: the step's start time from the execution's status (elapsed times in the log count from it). */
export function StepLog({ stepRef, label, stepStart }: { stepRef: StepRef; label: string; stepStart?: string }) {
  const { store, reload } = useStepLog(stepRef);
  useSyncExternalStore((cb) => store.subscribe(cb), () => store.snapshot().version);
  const location = useLocation();
  const navigate = useNavigate();
  const highlight = parseLineHash(location.hash);
  // "Log temporarily unavailable" (503 with Retry-After): try again when the manager says, without a click.
  const retryAfter = store.error instanceof ApiError && store.error.status === 503 ? store.error.retryAfterSeconds : undefined;
  useEffect(() => {
    if (retryAfter === undefined) return undefined;
    const timer = setTimeout(reload, retryAfter * 1000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, retryAfter]);
  const [downloading, setDownloading] = useState<string | undefined>();
  const download = async () => {
    setDownloading('Downloading…');
    try {
      const url = URL.createObjectURL(await store.download());
      const a = Object.assign(document.createElement('a'), { href: url, download: `${stepRef.name}-${stepRef.stage}-${stepRef.step}.log` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownloading(undefined);
    } catch (err) {
      setDownloading(`Download failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (!store.ready) return <Loading what="the log" />;
  if (store.error) return <ErrorState error={store.error} what="the log" onRetry={reload} />;
  return (
    <LogViewer
      source={store}
      label={label}
      stepStart={stepStart}
      tools={(
        <>
          <button type="button" className={styles.tool} onClick={() => void download()} disabled={downloading === 'Downloading…'}>
            <Download size={14} aria-hidden="true" /> Download
          </button>
          {downloading && <span role="status" className={styles.meta}>{downloading}</span>}
        </>
      )}
      highlight={highlight}
      onSelectLine={(n, extend) => navigate({ search: location.search, hash: formatLineHash(selectLine(highlight, n, extend)) }, { replace: true })}
    />
  );
}
