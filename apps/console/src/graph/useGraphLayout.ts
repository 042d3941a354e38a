// The layout of an execution's stage graph, laid out again only when its structure changes (names, step counts,
// a step starting or ending its wait for approval), never for a phase or duration change.
import { useMemo } from 'react';
import type { PipelineExecution } from '../api/types';
import { graphInputOf, layoutKey, type GraphLayout } from './graph-model';
import { timedLayout } from './layout';

export function useGraphLayout(e: PipelineExecution): GraphLayout {
  const input = graphInputOf(e);
  const key = layoutKey(input);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is the input's identity
  return useMemo(() => timedLayout(input), [key]);
}
