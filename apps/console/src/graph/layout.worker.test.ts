// The layout worker's protocol, run in jsdom's window standing in for the worker scope: { id, input } in,
// { id, layout } out, for every request, even once something else has taken `onmessage` (elkjs's bundle assigns
// self.onmessage to its own dispatcher in a real worker, which once swallowed every request after the first).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NODE_HEIGHT } from './graph-model';

const input = { stages: [{ name: 'build', steps: [{ name: 'a', height: NODE_HEIGHT }, { name: 'b', height: NODE_HEIGHT }] }] };

describe('layout.worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers each request with its id and layout, also after onmessage was taken over', async () => {
    const replies: Array<{ id: number; layout?: { steps: unknown[] } }> = [];
    vi.spyOn(window, 'postMessage').mockImplementation(((msg: { id: number; layout?: { steps: unknown[] } }) => { replies.push(msg); }) as never);
    await import('./layout.worker');
    window.dispatchEvent(new MessageEvent('message', { data: { id: 1, input } }));
    await vi.waitFor(() => expect(replies).toHaveLength(1), { timeout: 15_000 });
    window.onmessage = () => undefined; // what elkjs's dispatcher does in a real worker
    window.dispatchEvent(new MessageEvent('message', { data: { id: 2, input } }));
    await vi.waitFor(() => expect(replies).toHaveLength(2), { timeout: 15_000 });
    expect(replies.map((r) => [r.id, r.layout?.steps.length])).toEqual([[1, 2], [2, 2]]);
  });
});
