import type { PipelineExecutionStatus } from '@keelson/crds';
import { metricsRegistry } from '@keelson/observability';
import { countCacheFacts } from './cache.metrics';

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(sample?.value ?? 0);
}

const step = (cache?: NonNullable<NonNullable<PipelineExecutionStatus['stages']>[number]['steps'][number]['cache']>) => ({ name: 's', phase: 'Succeeded' as const, ...(cache && { cache }) });

describe('countCacheFacts', () => {
  it('counts the placement once, when a write first records it', async () => {
    const warm = await value('keelson_cache_placements_total', { placement: 'warm' });
    const cold = await value('keelson_cache_placements_total', { placement: 'cold' });
    countCacheFacts({ phase: 'Running' }, { phase: 'Succeeded', warmNode: true });
    countCacheFacts({ phase: 'Succeeded', warmNode: true }, { phase: 'Succeeded', warmNode: true });
    countCacheFacts(undefined, { phase: 'Failed', warmNode: false });
    expect(await value('keelson_cache_placements_total', { placement: 'warm' })).toBe(warm + 1);
    expect(await value('keelson_cache_placements_total', { placement: 'cold' })).toBe(cold + 1);
  });

  it('counts each lookup of a step once, when its step first records them', async () => {
    const hit = await value('keelson_cache_lookups_total', { result: 'hit', lock: 'held' });
    const miss = await value('keelson_cache_lookups_total', { result: 'miss', lock: 'readonly' });
    const lookups = [{ key: 'deps', result: 'hit' as const, lock: 'held' as const }, { key: 'out', result: 'miss' as const, lock: 'readonly' as const }];
    const before: PipelineExecutionStatus = { stages: [{ name: 'a', phase: 'Running', steps: [step(), step()] }] };
    const after: PipelineExecutionStatus = { stages: [{ name: 'a', phase: 'Running', steps: [step(lookups), step()] }] };
    countCacheFacts(before, after);
    countCacheFacts(after, after);
    expect(await value('keelson_cache_lookups_total', { result: 'hit', lock: 'held' })).toBe(hit + 1);
    expect(await value('keelson_cache_lookups_total', { result: 'miss', lock: 'readonly' })).toBe(miss + 1);
  });
});
