// Parse time and heap growth of `.devops.yml` parsing for hostile inputs and a large valid file.
// Run: node -r @swc-node/register bench/parse.bench.ts
// Printed numbers, not assertions: the specs assert that hostile inputs are refused.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parsePipelineConfig } from '@keelson/pipeline-config';
import { summaryBlock, table } from './support/report';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function billionLaughs(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const c of 'bcdefghi') {
    text += `${c}: &${c} [${Array(9).fill('*' + prev).join(',')}]\n`;
    prev = c;
  }
  return text;
}

function validSteps(count: number): string {
  let text = 'timeout: 60\nstages:\n';
  for (let s = 0; s < count / 5; s++) {
    text += `- name: stage-${s}\n  when: {branch: {include: [main, release/**]}, event: [push, tag]}\n  steps:\n`;
    for (let p = 0; p < 5; p++) {
      text += `  - name: s${p}\n    runScriptConfig:\n      image: node:20\n      shellScript: |\n        npm ci\n        npm test -- --shard=${p}\n`;
      text += `    env: {NODE_ENV: test, SHARD: "${p}", SHA: "\${CICD_GIT_COMMIT}"}\n    resources: {cpuRequest: 500m, memoryLimit: 1Gi}\n    timeout: 10\n`;
    }
  }
  return text;
}

const inputs: Array<[string, string]> = [
  ['billion laughs', billionLaughs()],
  ['5,000-level flow nesting', '['.repeat(5000) + ']'.repeat(5000)],
  ['5,000-level block nesting', '- '.repeat(5000) + 'x'],
  ['oversized file (8 MiB)', '# ' + 'x'.repeat(8 * 1024 * 1024)],
  ['many aliases (10,000)', 'x: &x {a: 1}\nl: [' + Array(10_000).fill('*x').join(', ') + ']\n'],
  ['valid, 500 steps', validSteps(500)],
];

/** Times are taken without forced collections (which disturb the JIT); heap growth in separate runs after a gc. */
function measure(text: string, runs: number) {
  for (let i = 0; i < 3; i++) parsePipelineConfig(text); // warm-up
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = parsePipelineConfig(text);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    outcome = result.ok ? `ok (${result.config.stages.reduce((n, s) => n + s.steps.length, 0)} steps)` : `refused: ${result.issues[0].code}`;
  }
  let growth = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const result = parsePipelineConfig(text);
    growth = Math.max(growth, process.memoryUsage().heapUsed - before);
    if (result === undefined) throw new Error('unreachable'); // keeps the result alive until measured
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1], growth, outcome };
}

const rows = inputs.map(([name, text]) => ({ name, bytes: Buffer.byteLength(text), ...measure(text, 15) }));
summaryBlock('parse: .devops.yml parse time and heap growth, hostile inputs and a large valid file (15 runs each)', [
  table(['input', 'bytes', 'median ms', 'max ms', 'heap +KiB', 'outcome'],
    rows.map((r) => [r.name, r.bytes, r.median.toFixed(2), r.max.toFixed(2), (r.growth / 1024).toFixed(0), r.outcome])),
]);
