import type { PipelineExecution, PipelineExecutionStatus } from '@keelson/crds';
import {
  admittedEntry, createdEntry, formatDuration, runsAhead, startLatency, syncTimeline, withTimeline, type TimelineEntry,
} from './timeline';

const T0 = Date.parse('2030-01-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function anExecution(name: string, options: { pipeline?: string; created?: number; status?: PipelineExecutionStatus } = {}): PipelineExecution {
  return {
    apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
    metadata: { name, namespace: 'demo', uid: `uid-${name}`, creationTimestamp: at(options.created ?? 0).replace('.000', '') },
    spec: { pipelineRef: { name: options.pipeline ?? 'web' }, run: 1, fork: false, stop: false },
    ...(options.status && { status: options.status }),
  } as PipelineExecution;
}

describe('withTimeline', () => {
  it('keeps the first record of a moment and orders entries as the moments happen, not by their clocks', () => {
    const current: TimelineEntry[] = [{ type: 'Created', time: at(0) }, { type: 'Admitted', time: at(5), message: 'first' }];
    const merged = withTimeline(current, [
      { type: 'Admitted', time: at(9), message: 'second' },
      // Jenkins' clock a little behind ours: still after JenkinsQueued in the timeline.
      { type: 'BuildStarted', time: at(6) },
      { type: 'JenkinsQueued', time: at(7) },
      undefined,
    ]);
    expect(merged.map((e) => [e.type, e.message])).toEqual([
      ['Created', undefined], ['Admitted', 'first'], ['JenkinsQueued', undefined], ['BuildStarted', undefined],
    ]);
  });

  it('cuts a message to the 1024 characters the schema allows', () => {
    const [entry] = withTimeline(undefined, [{ type: 'Finished', time: at(0), message: 'x'.repeat(5000) }]);
    expect(entry.message).toHaveLength(1024);
  });
});

describe('createdEntry and admittedEntry', () => {
  it('records at the first queue write whom a run queued behind, and names them when it is admitted', () => {
    const exe = anExecution('web-12', { created: 0 });
    const created = createdEntry(exe, { cause: 'ProjectConcurrencyLimit', behind: ['web-10', 'api-3'] });
    expect(created).toEqual({ type: 'Created', time: at(0).replace('.000', ''), message: 'queued behind web-10, api-3 (project concurrency limit)' });
    const queued = { ...exe, status: { phase: 'Queued' as const, timeline: [created!] } };
    expect(admittedEntry(queued, T0 + 42_000, 'ProjectConcurrencyLimit')).toEqual({
      type: 'Admitted', time: at(42), message: 'after 42s in the queue (project concurrency limit), behind web-10, api-3',
    });
  });

  it('says a slot was free when it never waited, and only how long when nobody was recorded ahead', () => {
    expect(admittedEntry(anExecution('web-1'), T0 + 1200, undefined).message).toBe('a slot was free (1s after creation)');
    expect(admittedEntry(anExecution('web-1'), T0 + 5000, 'PipelineConcurrencyLimit').message).toBe('after 5s in the queue (pipeline concurrency limit)');
  });

  it('lists five names and counts the rest', () => {
    const names = Array.from({ length: 8 }, (_, i) => `web-${i}`);
    const created = createdEntry(anExecution('web-9'), { cause: 'PipelineConcurrencyLimit', behind: names })!;
    expect(created.message).toBe('queued behind web-0, web-1, web-2, web-3, web-4 and 3 more (pipeline concurrency limit)');
    expect(admittedEntry({ ...anExecution('web-9'), status: { timeline: [created] } }, T0 + 61_000, 'PipelineConcurrencyLimit').message)
      .toBe('after 1m 1s in the queue (pipeline concurrency limit), behind web-0, web-1, web-2, web-3, web-4 and 3 more');
  });
});

describe('runsAhead', () => {
  const me = anExecution('web-5', { created: 100 });
  const project = [
    anExecution('web-1', { status: { phase: 'Succeeded' } }),
    anExecution('api-1', { pipeline: 'api', created: 3, status: { phase: 'Running' } }),
    anExecution('web-2', { created: 2, status: { phase: 'Provisioning' } }),
    anExecution('web-4', { created: 90, status: { phase: 'Queued' } }),
    anExecution('api-2', { pipeline: 'api', created: 95, status: { phase: 'Queued' } }),
    anExecution('web-6', { created: 110, status: { phase: 'Queued' } }), // behind me
    me,
  ];

  it('names the runs holding the slots, then those ahead in the queue', () => {
    expect(runsAhead(me, project, 'ProjectConcurrencyLimit')).toEqual(['web-2', 'api-1', 'web-4', 'api-2']);
  });

  it('names only its own pipeline\'s runs when the pipeline limit holds it back', () => {
    expect(runsAhead(me, project, 'PipelineConcurrencyLimit')).toEqual(['web-2', 'web-4']);
  });
});

describe('syncTimeline', () => {
  const admitted: PipelineExecutionStatus = {
    phase: 'Running',
    timeline: [{ type: 'Created', time: at(0) }, { type: 'Admitted', time: at(2), message: 'a slot was free' }, { type: 'DataPlaneReady', time: at(2), message: 'ready' }],
  };

  it('adds what the sync loop learned, in order, and leaves the controller\'s entries alone', () => {
    const timeline = syncTimeline(admitted, {
      startedAt: T0 + 3000, queueItem: 17, buildStartedAt: T0 + 4500, buildNumber: 3, node: 'node-a', scheduledAt: T0 + 6000, warmNode: true, runningAt: T0 + 9000,
    });
    expect(timeline).toEqual([
      { type: 'Created', time: at(0) },
      { type: 'Admitted', time: at(2), message: 'a slot was free' },
      { type: 'DataPlaneReady', time: at(2), message: 'ready' },
      { type: 'JenkinsQueued', time: at(3), message: 'queue item 17' },
      { type: 'BuildStarted', time: at(4.5), message: 'build #3 after 2s in the Jenkins queue' },
      { type: 'PodScheduled', time: at(6), message: 'node-a (warm)' },
      { type: 'Running', time: at(9) },
    ]);
  });

  it('records the data plane ready when Jenkins took the build, for a run admitted while it was provisioning', () => {
    const provisioning: PipelineExecutionStatus = { phase: 'Provisioning', timeline: admitted.timeline!.slice(0, 2) };
    const timeline = syncTimeline(provisioning, { startedAt: T0 + 47_000 });
    expect(timeline.find((e) => e.type === 'DataPlaneReady')).toEqual({ type: 'DataPlaneReady', time: at(47), message: 'provisioned in 45s' });
  });

  it('says cold for a node the pipeline did not prefer, and records nothing of a pod not yet placed', () => {
    expect(syncTimeline(admitted, { node: 'node-b', scheduledAt: T0 + 6000, warmNode: false }).at(-1)).toEqual({ type: 'PodScheduled', time: at(6), message: 'node-b (cold)' });
    expect(syncTimeline(admitted, { node: 'node-b' }).map((e) => e.type)).not.toContain('PodScheduled');
  });

  it('adds Finished with the phase and reason of a final status', () => {
    const final = syncTimeline({ ...admitted, phase: 'Failed', reason: 'step make failed', completionTime: at(60) }, {});
    expect(final.at(-1)).toEqual({ type: 'Finished', time: at(60), message: 'Failed: step make failed' });
  });
});

describe('startLatency', () => {
  it('breaks the start into its parts, in seconds, from the recorded moments only', () => {
    const timeline: TimelineEntry[] = [
      { type: 'Created', time: at(0) }, { type: 'Admitted', time: at(30) }, { type: 'JenkinsQueued', time: at(31.5) },
      { type: 'BuildStarted', time: at(33) }, { type: 'PodScheduled', time: at(34) }, { type: 'Running', time: at(41) },
    ];
    expect(startLatency(timeline)).toEqual({ queued: 30, provisioning: 1.5, jenkinsQueue: 1.5, podScheduling: 1, podStartup: 7, total: 41 });
    expect(startLatency(timeline.slice(0, 3))).toEqual({ queued: 30, provisioning: 1.5 });
    expect(startLatency(undefined)).toEqual({});
  });
});

describe('formatDuration', () => {
  it.each([[950, '950ms'], [42_000, '42s'], [185_000, '3m 5s'], [7_260_000, '2h 1m']])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
