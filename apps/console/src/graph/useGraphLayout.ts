// The layout of an execution's stage graph, laid out again only when its structure changes (names, step counts,
// a step starting or ending its wait for approval), never for a phase or duration change.
import { useEffect, useMemo, useState } from 'react';
import type { PipelineExecution } from '../api/types';
import { graphInputOf, layoutKey, type GraphLayout } from './graph-model';
import { requestLayout } from './layout-client';

export function useGraphLayout(e: PipelineExecution): { layout?: GraphLayout; error?: string } {
  const input = graphInputOf(e);
  const key = layoutKey(input);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is the input's identity
  const stableInput = useMemo(() => input, [key]);
  const [state, setState] = useState<{ key?: string; layout?: GraphLayout; error?: string }>({});
  useEffect(() => {
    let live = true;
    requestLayout(stableInput).then(
      (layout) => { if (live) setState({ key, layout }); },
      (err: unknown) => { if (live) setState({ key, error: err instanceof Error ? err.message : String(err) }); },
    );
    return () => { live = false; };
  }, [stableInput, key]);
  // Until the new layout arrives, the previous one stays (no flash of nothing on a structural change).
  return { layout: state.layout, error: state.key === key ? state.error : undefined };
}
