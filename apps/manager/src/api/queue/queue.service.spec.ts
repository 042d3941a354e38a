import type { PipelineExecution } from '@keelson/crds';
import { silentLogger } from '@keelson/observability';
import type { DataPlaneClusters } from '../../data-plane/data-plane-clusters';
import type { InformersService } from '../../kube/informers.service';
import { ApiProblem } from '../problem/api-problem';
import { QueueService } from './queue.service';

const waitingForItsPod = {
  apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'PipelineExecution',
  metadata: { namespace: 'demo', name: 'web-1', uid: 'u1', creationTimestamp: '2030-01-01T10:00:00Z' },
  spec: { pipelineRef: { name: 'web' }, run: 1, fork: false, stop: false },
  status: { phase: 'Running', build: { job: 'web-1', number: 1 } },
} as PipelineExecution;

function informers(unsynced: string[], executions: PipelineExecution[] = []): InformersService {
  return {
    unsynced: () => unsynced,
    informers: new Map([['PipelineExecution', { list: () => executions }], ['PipelineSetting', { list: () => [] }]]),
  } as unknown as InformersService;
}

describe('QueueService', () => {
  it('answers 503 with Retry-After while the caches are still filling, rather than an empty queue', async () => {
    const service = new QueueService(informers(['PipelineExecution']), {} as DataPlaneClusters, silentLogger);
    const err = await service.queue('demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ status: 503, slug: 'unavailable', headers: { 'Retry-After': '5' } });
  });

  it('says the build pod could not be read when the data plane does not answer, without its error\'s details', async () => {
    const clusters = { forProject: async () => { throw new Error('connect ECONNREFUSED 10.1.2.3:6443 (token abc)'); } } as unknown as DataPlaneClusters;
    const answer = await new QueueService(informers([], [waitingForItsPod]), clusters, silentLogger).queue('demo');
    expect(answer.queued).toEqual([expect.objectContaining({ name: 'web-1', cause: 'PodPending', message: 'the build pod could not be read: the data plane did not answer' })]);
    expect(JSON.stringify(answer)).not.toContain('10.1.2.3');
  });

  it('reads no pod when no run waits for one', async () => {
    const clusters = { forProject: jest.fn() } as unknown as DataPlaneClusters;
    await new QueueService(informers([], []), clusters, silentLogger).queue('demo');
    expect(clusters.forProject).not.toHaveBeenCalled();
  });
});
