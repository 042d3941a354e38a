// What the stage graph lays out: stages in order (columns), each stage's steps (rows: the steps of a stage run in
// parallel). Only the structure and the node sizes go to the layout, never the phases, so a status change
// re-renders the graph without laying it out again.
import type { PipelineExecution } from '../api/types';

export const NODE_WIDTH = 248;
export const NODE_HEIGHT = 56;
/** A step waiting for approval is taller: its Approve / Reject buttons sit in the node. */
export const WAITING_NODE_HEIGHT = 96;
/** Room above a stage's steps for its name. */
export const STAGE_HEADER = 36;
export const STAGE_PADDING = 12;

export interface GraphInput {
  stages: Array<{ name: string; steps: Array<{ name: string; height: number }> }>;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StepBox extends Box {
  stage: number;
  step: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  stages: Box[];
  steps: StepBox[];
  /** Polylines between consecutive stages, absolute coordinates. */
  edges: Array<Array<{ x: number; y: number }>>;
}

export function graphInputOf(e: PipelineExecution): GraphInput {
  return {
    stages: (e.status?.stages ?? []).map((st) => ({
      name: st.name,
      steps: st.steps.map((step) => ({ name: step.name, height: step.phase === 'Waiting' ? WAITING_NODE_HEIGHT : NODE_HEIGHT })),
    })),
  };
}

/** A key that changes only when the layout would: stage and step names and node sizes. */
export function layoutKey(input: GraphInput): string {
  return JSON.stringify(input);
}
