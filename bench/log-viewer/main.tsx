// The console's step log viewer alone, on the real StepLogStore, whose API answers from memory after DELAY_MS:
// log-viewer-scroll.bench.ts scrolls it as console.bench.ts's T5 does, without the manager, MinIO or a cluster.
import { createRoot } from 'react-dom/client';
import type { ApiClient } from '../../apps/console/src/api/client';
import { LogViewer } from '../../apps/console/src/log-viewer/LogViewer';
import { StepLogStore } from '../../apps/console/src/log-viewer/step-log-store';
import '../../apps/console/src/theme/global.css';

const params = new URLSearchParams(location.search);
const LINES = Number(params.get('lines') ?? 100_000);
const DELAY_MS = Number(params.get('delay') ?? 20);
const EVERY = 1000;

/** console.bench.ts's T5–T8 fixture: ANSI colours, every tenth line long, every seventh a warning. */
function fixture(count: number): Uint8Array {
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) {
    if (n % 10 === 0) lines.push(`\u001b[36m${'long '.repeat(60)}\u001b[0m line ${n} \u001b[2m${'x'.repeat(200)}\u001b[0m`);
    else if (n % 7 === 0) lines.push(`\u001b[1;31mwarning\u001b[0m line ${n}: \u001b[32mstill ok\u001b[0m`);
    else lines.push(`line ${n} of ${count}: \u001b[32mok\u001b[0m \u001b[34m${n % 1000}\u001b[0m`);
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

const log = fixture(LINES);
const offsets: number[] = [0];
for (let at = 0, n = 0; at < log.length; at++) if (log[at] === 0x0a && ++n % EVERY === 0 && at + 1 < log.length) offsets.push(at + 1);
const index = { every: EVERY, lines: LINES, size: log.length, complete: true, offsets };
/** Page loads, and when each page's lines reached the store (performance.now()). */
const perf = { pageLoads: 0, loadedAt: [] as number[] };
(globalThis as Record<string, unknown>).__viewer = perf;

const later = <T,>(value: () => T) => new Promise<T>((r) => setTimeout(() => r(value()), DELAY_MS));
const api = {
  get: () => later(() => index),
  request: (_method: string, _path: string, options: { headers: Record<string, string> }) => later(() => {
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(options.headers.Range)!;
    perf.pageLoads++;
    const response = new Response(log.slice(Number(a), Number(b) + 1), { status: 206 });
    const text = response.text.bind(response);
    return Object.assign(response, { text: () => text().finally(() => perf.loadedAt.push(performance.now())) });
  }),
} as unknown as ApiClient;

const store = new StepLogStore(api, { ns: 'bench', name: 'bench-1', stage: 0, step: 0 });
void store.open();
createRoot(document.getElementById('root')!).render(<LogViewer source={store} initialHeight={700} />);
