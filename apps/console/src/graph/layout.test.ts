// The stage graph's layout: stages are columns in order, a stage's
// parallel steps are rows of its column, no two boxes overlap, and a 300-step graph lays out.
import { describe, expect, it } from 'vitest';
import { NODE_HEIGHT, WAITING_NODE_HEIGHT, type Box, type GraphInput } from './graph-model';
import { layoutGraph, timedLayout } from './layout';

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function input(stepsPerStage: number[]): GraphInput {
  return { stages: stepsPerStage.map((n, s) => ({ name: `stage-${s}`, steps: Array.from({ length: n }, (_, t) => ({ name: `step-${t}`, height: NODE_HEIGHT })) })) };
}

describe('layoutGraph', () => {
  it('puts stages in columns, left to right in order, and a stage\'s parallel steps in rows of its column', () => {
    const g = input([1, 3, 2]);
    g.stages[1].steps[1].height = WAITING_NODE_HEIGHT;
    const layout = layoutGraph(g);
    expect(layout.stages).toHaveLength(3);
    for (let s = 1; s < 3; s++) expect(layout.stages[s].x).toBeGreaterThanOrEqual(layout.stages[s - 1].x + layout.stages[s - 1].width);
    const col = layout.steps.filter((b) => b.stage === 1);
    expect(col.map((b) => b.step)).toEqual([0, 1, 2]);
    expect(new Set(col.map((b) => b.x)).size).toBe(1); // one column
    expect(col[0].y + col[0].height).toBeLessThanOrEqual(col[1].y); // rows in config order
    expect(col[1].y + col[1].height).toBeLessThanOrEqual(col[2].y);
    expect(col[1].height).toBe(WAITING_NODE_HEIGHT);
    for (const b of layout.steps) {
      const st = layout.stages[b.stage];
      expect(b.x >= st.x && b.x + b.width <= st.x + st.width && b.y >= st.y && b.y + b.height <= st.y + st.height).toBe(true);
    }
    for (let i = 0; i < layout.steps.length; i++) for (let j = i + 1; j < layout.steps.length; j++) expect(overlap(layout.steps[i], layout.steps[j])).toBe(false);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(overlap(layout.stages[i], layout.stages[j])).toBe(false);
    expect(layout.edges).toHaveLength(2); // one edge between consecutive stages
    expect(layout.width).toBeGreaterThan(layout.stages[2].x);
  });

  it('lays out a 300-step graph (12 stages of 25 parallel steps) without overlaps', () => {
    const layout = layoutGraph(input(Array.from({ length: 12 }, () => 25)));
    expect(layout.steps).toHaveLength(300);
    const sorted = [...layout.steps].sort((a, b) => a.x - b.x || a.y - b.y);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      if (a.x === b.x) expect(a.y + a.height).toBeLessThanOrEqual(b.y);
    }
    expect(new Set(layout.steps.map((b) => b.x)).size).toBe(12);
  });

  it('gives an empty stage a column of its own', () => {
    const layout = layoutGraph(input([2, 0, 1]));
    expect(layout.stages[1].width).toBeGreaterThan(0);
    expect(layout.stages[2].x).toBeGreaterThan(layout.stages[1].x);
  });

  it('lays out 2,000 steps (40 stages of 50) in columns without overlaps', () => {
    const layout = layoutGraph(input(Array.from({ length: 40 }, () => 50)));
    expect(layout.steps).toHaveLength(2000);
    expect(new Set(layout.steps.map((b) => b.x)).size).toBe(40);
    const lowest = Math.max(...layout.steps.map((b) => b.y + b.height));
    expect(layout.height).toBeGreaterThan(lowest);
  });

  it('is timed for the benchmark: timedLayout measures keelson:graph-layout with the step count', () => {
    performance.clearMeasures('keelson:graph-layout');
    const layout = timedLayout(input(Array.from({ length: 12 }, () => 25)));
    expect(layout.steps).toHaveLength(300);
    const [measure] = performance.getEntriesByName('keelson:graph-layout', 'measure');
    expect(measure.duration).toBeGreaterThanOrEqual(0);
    expect((measure as PerformanceMeasure).detail).toEqual({ steps: 300 });
  });
});
