// The stage graph's layout with elkjs: layered, left to right. Each stage is a compound node whose steps sit in
// one layer (a column, in config order); edges join consecutive stages, so the stages line up as columns in order.
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

const STAGE_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  // Unconnected steps stay one graph (one layer, one column), in the config's order.
  'elk.separateConnectedComponents': 'false',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  'elk.spacing.nodeNode': '8',
  'elk.padding': `[top=${STAGE_HEADER},left=${STAGE_PADDING},bottom=${STAGE_PADDING},right=${STAGE_PADDING}]`,
};

const stageId = (s: number) => `s${s}`;
const stepId = (s: number, t: number) => `s${s}t${t}`;

export async function layoutGraph(input: GraphInput): Promise<GraphLayout> {
  elk ??= new ElkConstructor();
  const edges: ElkExtendedEdge[] = input.stages.slice(1).map((_, i) => ({ id: `e${i}`, sources: [stageId(i)], targets: [stageId(i + 1)] }));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: ROOT_OPTIONS,
    children: input.stages.map((st, s) => ({
      id: stageId(s),
      layoutOptions: STAGE_OPTIONS,
      // An empty stage still takes a column.
      ...(st.steps.length === 0 && { width: NODE_WIDTH + 2 * STAGE_PADDING, height: STAGE_HEADER + STAGE_PADDING }),
      children: st.steps.map((step, t) => ({ id: stepId(s, t), width: NODE_WIDTH, height: step.height })),
    })),
    edges,
  };
  const out = await elk.layout(graph);
  const layout: GraphLayout = { width: out.width ?? 0, height: out.height ?? 0, stages: [], steps: [], edges: [] };
  (out.children ?? []).forEach((st, s) => {
    const sx = st.x ?? 0;
    const sy = st.y ?? 0;
    layout.stages[s] = { x: sx, y: sy, width: st.width ?? 0, height: st.height ?? 0 };
    (st.children ?? []).forEach((n, t) => {
      layout.steps.push({ stage: s, step: t, x: sx + (n.x ?? 0), y: sy + (n.y ?? 0), width: n.width ?? NODE_WIDTH, height: n.height ?? 0 });
    });
  });
  for (const edge of out.edges ?? []) {
    for (const sec of edge.sections ?? []) layout.edges.push([sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint]);
  }
  return layout;
}
