// The stage graph's layout off the main thread: { id, input } in, { id, layout } or { id, error } out.
import type { GraphInput } from './graph-model';
import { layoutGraph } from './layout';

interface Request {
  id: number;
  input: GraphInput;
}

/** The worker's global scope (the console's TypeScript lib is DOM, not WebWorker). */
const scope = self as unknown as { onmessage: ((msg: MessageEvent<Request>) => void) | null; postMessage(message: unknown): void };

// Assigned after the imports ran: elkjs's bundle sets self.onmessage itself when loaded in a worker.
scope.onmessage = (msg) => {
  const { id, input } = msg.data;
  layoutGraph(input).then(
    (layout) => scope.postMessage({ id, layout }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
};
