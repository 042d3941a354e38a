// The stage graph's layout off the main thread: { id, input } in, { id, layout } or { id, error } out.
import type { GraphInput } from './graph-model';
import { layoutGraph } from './layout';

interface Request {
  id: number;
  input: GraphInput;
}

/** The worker's global scope (the console's TypeScript lib is DOM, not WebWorker). */
const scope = self as unknown as {
  addEventListener(type: 'message', listener: (msg: MessageEvent<Request>) => void): void;
  postMessage(message: unknown): void;
};

// A listener, not `self.onmessage`: elkjs's bundle, seeing a worker scope, assigns self.onmessage to its own
// dispatcher when its layout code first runs, which would swallow every request after the first. That dispatcher
// answers only messages with a `cmd`, which ours never have.
scope.addEventListener('message', (msg) => {
  const { id, input } = msg.data;
  layoutGraph(input).then(
    (layout) => scope.postMessage({ id, layout }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
