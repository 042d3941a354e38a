// A step's log from the API in the viewer, with its designed states (loading, unavailable, error) and the
// #L120-L140 selection kept in the URL hash.
import { useSyncExternalStore } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ErrorState, Loading } from '../components/States';
import { formatLineHash, parseLineHash, selectLine } from './line-links';
import { LogViewer } from './LogViewer';
import type { StepRef } from './step-log-store';
import { useStepLog } from './useStepLog';

export function StepLog({ stepRef, label }: { stepRef: StepRef; label: string }) {
  const store = useStepLog(stepRef);
  useSyncExternalStore((cb) => store.subscribe(cb), () => store.snapshot().version);
  const location = useLocation();
  const navigate = useNavigate();
  const highlight = parseLineHash(location.hash);
  if (!store.ready) return <Loading what="the log" />;
  if (store.error) return <ErrorState error={store.error} what="the log" />;
  return (
    <LogViewer
      source={store}
      label={label}
      highlight={highlight}
      onSelectLine={(n, extend) => navigate({ search: location.search, hash: formatLineHash(selectLine(highlight, n, extend)) }, { replace: true })}
    />
  );
}
