// Runs the stage graph's layout in a Web Worker (one per tab, created on first use), or on the main thread where
// there is no Worker (tests, old engines), loading elkjs lazily either way so it never weighs on the main bundle.
// performance marks `keelson:graph-layout-start` and the measure `keelson:graph-layout` time each layout, worker
// round trip included, for the benchmark (console.md §6.3 T9).
import type { GraphInput, GraphLayout } from './graph-model';

type Reply = { id: number; layout: GraphLayout } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve: (l: GraphLayout) => void; reject: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (msg: MessageEvent<Reply>) => {
    const pending = waiting.get(msg.data.id);
    if (!pending) return;
    waiting.delete(msg.data.id);
    if ('error' in msg.data) pending.reject(new Error(msg.data.error));
    else pending.resolve(msg.data.layout);
  };
  w.onerror = (e) => {
    // A worker that fails to load fails every pending layout; the next call tries a new one.
    for (const p of waiting.values()) p.reject(new Error(e.message || 'the layout worker failed'));
    waiting.clear();
    w.terminate();
    worker = undefined;
  };
  worker = w;
  return w;
}

function inWorker(input: GraphInput): Promise<GraphLayout> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    layoutWorker().postMessage({ id, input });
  });
}

async function onMainThread(input: GraphInput): Promise<GraphLayout> {
  const { layoutGraph } = await import('./layout');
  return layoutGraph(input);
}

export async function requestLayout(input: GraphInput): Promise<GraphLayout> {
  const start = `keelson:graph-layout-start`;
  performance.mark(start);
  const layout = await (typeof Worker === 'undefined' ? onMainThread(input) : inWorker(input));
  performance.measure('keelson:graph-layout', { start, detail: { steps: layout.steps.length } });
  return layout;
}
