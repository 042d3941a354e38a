// The stage graph's layout: stages are columns left to right in config order, each holding its steps stacked in
// config order (a stage's steps run in parallel, nothing joins them), and an edge joins consecutive stages.
// Keelson's graph is always this chain of columns (a .devops.yml has no `needs` between steps), so the layout is
// arithmetic. elkjs, console.md §6.4's choice for general DAGs, was tried first (in a worker): its bundle is 445 kB
// gzip, and the bench measured 5.7 s to lay out 300 steps in Chromium here (T10's budget is 200 ms); this took
// 1.4 ms for 300 steps and 1.5 ms for 2,000.
import { NODE_WIDTH, STAGE_HEADER, STAGE_PADDING, type GraphInput, type GraphLayout } from './graph-model';

/** Room around the graph, between stage columns, and between a stage's stacked steps. */
const MARGIN = 8;
const COLUMN_GAP = 48;
const STEP_GAP = 8;

export function layoutGraph(input: GraphInput): GraphLayout {
  const layout: GraphLayout = { width: 0, height: 0, stages: [], steps: [], edges: [] };
  const stageWidth = NODE_WIDTH + 2 * STAGE_PADDING;
  let x = MARGIN;
  input.stages.forEach((stage, s) => {
    let y = MARGIN + STAGE_HEADER;
    stage.steps.forEach((step, t) => {
      layout.steps.push({ stage: s, step: t, x: x + STAGE_PADDING, y, width: NODE_WIDTH, height: step.height });
      y += step.height + STEP_GAP;
    });
    // An empty stage keeps a column of its own, one padding tall below its header.
    const height = stage.steps.length ? y - STEP_GAP + STAGE_PADDING - MARGIN : STAGE_HEADER + STAGE_PADDING;
    layout.stages.push({ x, y: MARGIN, width: stageWidth, height });
    x += stageWidth + COLUMN_GAP;
  });
  // Edges run level with the stage names, from one column's right side to the next one's left side.
  const edgeY = MARGIN + STAGE_HEADER / 2;
  for (let s = 1; s < layout.stages.length; s++) {
    const from = layout.stages[s - 1];
    layout.edges.push([{ x: from.x + from.width, y: edgeY }, { x: layout.stages[s].x, y: edgeY }]);
  }
  layout.width = layout.stages.length ? x - COLUMN_GAP + MARGIN : 0;
  layout.height = Math.max(0, ...layout.stages.map((b) => b.y + b.height)) + MARGIN;
  return layout;
}

/** The layout, timed for the benchmark (T10): mark `keelson:graph-layout-start`, measure `keelson:graph-layout`. */
export function timedLayout(input: GraphInput): GraphLayout {
  const start = 'keelson:graph-layout-start';
  performance.mark(start);
  const layout = layoutGraph(input);
  performance.measure('keelson:graph-layout', { start, detail: { steps: layout.steps.length } });
  return layout;
}
