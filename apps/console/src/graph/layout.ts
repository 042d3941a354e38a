// The stage graph's layout with elkjs: layered, left to right. Each stage is one node holding its steps' stack (a
// column, in config order); edges join consecutive stages, so the stages line up as columns in order.
// Pure and worker-free: layout.worker.ts runs it off the main thread, tests and the no-Worker fallback call it
// directly. elkjs is imported only here, so it lands in the worker's chunk (and the lazy fallback chunk).
import ElkConstructor, { type ELK, type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import { NODE_WIDTH, STAGE_HEADER, STAGE_PADDING, type GraphInput, type GraphLayout } from './graph-model';

let elk: ELK | undefined;

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.spacing.nodeNode': '24',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.padding': '[top=8,left=8,bottom=8,right=8]',
};

const stageId = (s: number) => `s${s}`;
/** Room between a stage's stacked steps. */
const STEP_GAP = 8;

export async function layoutGraph(input: GraphInput): Promise<GraphLayout> {
  elk ??= new ElkConstructor();
  // A stage's steps are a plain stack (they run in parallel, nothing joins them), so each stage goes to elkjs as one
  // box of its stack's size and elkjs places only the stage chain and routes its edges. Handing it every step as a
  // child node (crossing minimisation over nodes that have no edges) took 110-360 ms for 300 steps and 680 ms for
  // 2,000 warm, here; the stage chain took 40 ms and 145 ms.
  const stacks = input.stages.map((st) => stackSteps(st.steps.map((step) => step.height)));
  const edges: ElkExtendedEdge[] = input.stages.slice(1).map((_, i) => ({ id: `e${i}`, sources: [stageId(i)], targets: [stageId(i + 1)] }));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: ROOT_OPTIONS,
    children: stacks.map((stack, s) => ({ id: stageId(s), width: NODE_WIDTH + 2 * STAGE_PADDING, height: STAGE_HEADER + stack.height + STAGE_PADDING })),
    edges,
  };
  const out = await elk.layout(graph);
  const layout: GraphLayout = { width: out.width ?? 0, height: out.height ?? 0, stages: [], steps: [], edges: [] };
  (out.children ?? []).forEach((st, s) => {
    const sx = st.x ?? 0;
    const sy = st.y ?? 0;
    layout.stages[s] = { x: sx, y: sy, width: st.width ?? 0, height: st.height ?? 0 };
    stacks[s].offsets.forEach((dy, t) => {
      layout.steps.push({ stage: s, step: t, x: sx + STAGE_PADDING, y: sy + STAGE_HEADER + dy, width: NODE_WIDTH, height: input.stages[s].steps[t].height });
    });
  });
  for (const edge of out.edges ?? []) {
    for (const sec of edge.sections ?? []) layout.edges.push([sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint]);
  }
  return layout;
}

/** Each step's offset below the stage header, and the stack's height (an empty stage keeps one node's room). */
function stackSteps(heights: number[]): { offsets: number[]; height: number } {
  const offsets: number[] = [];
  let y = 0;
  for (const h of heights) {
    offsets.push(y);
    y += h + STEP_GAP;
  }
  return { offsets, height: heights.length ? y - STEP_GAP : STAGE_PADDING };
}
