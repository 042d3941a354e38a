import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context';
import { useLogFollower } from '../events/stream-context';
import { StepLogStore, type StepRef } from './step-log-store';

/** A StepLogStore for the step, opened on mount and closed (its reads and its follow on the tab's event stream
 *  ended) on unmount; `reload` opens a fresh one (after an error). */
export function useStepLog(ref: StepRef): { store: StepLogStore; reload: () => void } {
  const api = useApi();
  const follower = useLogFollower();
  const [store, setStore] = useState(() => new StepLogStore(api, ref, 2, follower));
  const [attempt, setAttempt] = useState(0);
  const key = `${ref.ns}/${ref.name}/${ref.stage}/${ref.step}/${attempt}`;
  useEffect(() => {
    const s = new StepLogStore(api, ref, 2, follower);
    setStore(s);
    void s.open();
    return () => s.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, follower, key]);
  return { store, reload: () => setAttempt((n) => n + 1) };
}
