// P7 (issue 12 §5): live-tail latency, from the Jenkins double writing a line of a step to an SSE client of the
// manager's log API receiving it; and the manager's RSS growth while it archives a 50 MB step log.
// Run: node -r @swc-node/register bench/log-tail.bench.ts   (TICKS=60 TICK_MS=250 BIG_LINES=540000)
// Printed numbers, not assertions. The manager runs in its own process (its RSS is its own), with a real MinIO
// as the demo project's log store; the double runs in this process and says when it writes each line.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { waitFor } from '@keelson/servers';
import { SseClient } from '../test/support/sse-client';
import { describeKnobs, envInt, ExecutionWatch, managerKnobs, runBenchmark, triggerRun, withStack } from './support/bench-stack';
import { replaceWithChildManager, type ChildManager } from './support/child-manager';
import { note, summaryBlock, table } from './support/report';
import { ms, summarize } from './support/stats';
import type { KeelsonStack } from '../test/support/keelson-stack';

const TICKS = envInt('TICKS', 60);
const TICK_MS = envInt('TICK_MS', 250);
const BIG_LINES = envInt('BIG_LINES', 540_000);
const LINE = `${'0123456789'.repeat(9)}abcdefg`; // 97 characters and a newline: 98 bytes a line

const tickScript = Array.from({ length: TICKS }, (_, i) => [`echo tick-${i}`, `sleep ${TICK_MS / 1000}`]).flat().join('\n');
const FILES = {
  '.devops.yml': `stages:\n- name: tail\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: ${JSON.stringify(tickScript)}}\n`,
  'big.yml': `stages:\n- name: big\n  steps:\n  - runScriptConfig: {image: alpine:3.20, shellScript: ${JSON.stringify(`yes "${LINE}" | head -n ${BIG_LINES}\necho done`)}}\n`,
};

interface Result {
  latencies: number[];
  missed: number;
  rss: { before: number; peak: number; after: number; samples: number };
  bigBytes: number;
  archiveMs: number;
}

async function measure(stack: KeelsonStack, manager: ChildManager): Promise<Result> {
  await stack.createPipeline('tail');
  await stack.createPipeline('big', 'demo', { configPath: 'big.yml' });
  const watch = await ExecutionWatch.start(stack.kube);
  try {
    note('warm-up run: applies the data plane, creates the bucket');
    const warm = await triggerRun(stack, 'tail');
    await watch.succeeded(warm.name, 240_000);
    await watch.until(warm.name, (e) => e.status?.log?.state === 'Complete', 60_000, 'its log Complete');

    // --- latency ---------------------------------------------------------------------------------------
    const written = new Map<string, number>();
    const unsubscribe = stack.jenkins.onOutput((line) => {
      if (line.text.startsWith('tick-') && !written.has(`${line.job} ${line.text}`)) written.set(`${line.job} ${line.text}`, Date.now());
    });
    const run = await triggerRun(stack, 'tail');
    await watch.until(run.name, (e) => e.status?.stages?.[0]?.steps[0]?.phase === 'Running', 60_000, 'its step running');
    // When the request leaves (as before the client awaited its headers): lines written after it count as live.
    const connectedAt = Date.now();
    const sse = await SseClient.open(`${manager.url}/api/v1/namespaces/demo/pipelineexecutions/${run.name}/logs?stage=0&step=0`, { authorization: `Bearer ${stack.adminToken}` });
    await sse.next((e) => e.event === 'end', (TICKS * TICK_MS) + 120_000);
    unsubscribe();
    const received = new Map<string, number>();
    for (const event of sse.events.filter((e) => e.event === 'message')) {
      for (const text of (event.data as string).split('\n')) if (text.startsWith('tick-') && !received.has(text)) received.set(text, event.at);
    }
    const latencies: number[] = [];
    let missed = 0;
    for (const [key, at] of written) {
      const [job, text] = key.split(' ');
      if (job !== run.name || at < connectedAt) continue; // written before the client connected: replay, not live
      const got = received.get(text);
      if (got === undefined) missed++;
      else latencies.push(got - at);
    }
    await watch.until(run.name, (e) => e.status?.log?.state === 'Complete', 60_000, 'its log Complete');

    // --- RSS while archiving 50 MB --------------------------------------------------------------------
    await new Promise((r) => setTimeout(r, 3000));
    const before = manager.rss();
    let peak = before;
    let samples = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, manager.rss());
      samples++;
    }, 100);
    const started = Date.now();
    const big = await triggerRun(stack, 'big');
    const sealed = await watch.until(big.name, (e) => e.status?.log?.state === 'Complete' || e.status?.log?.state === 'Partial', 600_000, 'its log sealed');
    const archiveMs = Date.now() - started;
    clearInterval(sampler);
    const after = manager.rss();
    const bigBytes = sealed.exe.status?.stages?.[0]?.steps[0]?.log?.size ?? 0;
    await waitFor('the big run\'s Jenkins job to go', async () => stack.jenkins.jobConfig('demo-pipeline', big.name) === undefined, { timeoutMs: 60_000 });
    return { latencies, missed, rss: { before, peak, after, samples }, bigBytes, archiveMs };
  } finally {
    await watch.stop();
  }
}

runBenchmark('log-tail', async () => {
  const knobs = managerKnobs({ SYNC_BASE_POLL_MS: '1000', SYNC_MAX_POLL_MS: '30000', SYNC_PROGRESS_INTERVAL_MS: '5000' });
  const result = await withStack({ files: FILES, minio: true }, async (stack, cleanup) => {
    const manager = await replaceWithChildManager(stack, { ...knobs, ...stack.logEnvironment(), LOG_LEVEL: 'warn' }, join(tmpdir(), `keelson-log-tail-${process.pid}.log`), note);
    cleanup.push(() => manager.close());
    return measure(stack, manager);
  });
  const lat = summarize(result.latencies);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  summaryBlock('log-tail (P7): line written by the double → SSE client; manager RSS while archiving', [
    ['settings', `${describeKnobs(knobs)}; ${TICKS} lines ${TICK_MS} ms apart; the big step ${BIG_LINES} lines of 98 bytes`],
    ['live lines', `${result.latencies.length} received, ${result.missed} missed (lines written after the client connected)`],
    '',
    table(['', 'p50', 'p90', 'p99', 'max', 'min'], [['tail latency', ms(lat.p50), ms(lat.p90), ms(lat.p99), ms(lat.max), ms(lat.min)]]),
    '',
    ['goal', 'tail p99 < 1 s; RSS growth < 64 MiB'],
    ['big step', `${mib(result.bigBytes)} archived and sealed in ${(result.archiveMs / 1000).toFixed(1)} s (trigger → log Complete)`],
    ['manager RSS', `${mib(result.rss.before)} before, ${mib(result.rss.peak)} peak (${result.rss.samples} samples), ${mib(result.rss.after)} after: growth ${mib(result.rss.peak - result.rss.before)}`],
  ]);
});
