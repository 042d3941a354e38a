import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context';
import { StepLogStore, type StepRef } from './step-log-store';

/** A StepLogStore for the step, opened on mount and closed (its reads and stream aborted) on unmount. */
export function useStepLog(ref: StepRef): StepLogStore {
  const api = useApi();
  const [store, setStore] = useState(() => new StepLogStore(api, ref));
  const key = `${ref.ns}/${ref.name}/${ref.stage}/${ref.step}`;
  useEffect(() => {
    const s = new StepLogStore(api, ref);
    setStore(s);
    void s.open();
    return () => s.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  return store;
}
