import type { Pod } from '@keelson/kube';
import { buildPodPlacement } from './build-pod-placement';

function aBuildPod(spec: Record<string, unknown>, status: Pod['status'] = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-3-abc', namespace: 'demo-builds' }, spec: { containers: [], ...spec }, status } as Pod;
}

/** As the compiler writes it (node-affinity.ts): preferred, by metadata.name. */
const PREFERS_NODE_A = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] } },
      { weight: 50, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-c'] }] } },
    ],
  },
};

describe('buildPodPlacement', () => {
  it('reads the node, when it was placed, and that it is warm: a node its affinity prefers', () => {
    const pod = aBuildPod({ nodeName: 'node-c', affinity: PREFERS_NODE_A }, {
      phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2030-01-01T10:00:05Z' } as never],
    });
    expect(buildPodPlacement(pod)).toEqual({ node: 'node-c', scheduledAt: Date.parse('2030-01-01T10:00:05Z'), warm: true, phase: 'Pending' });
  });

  it('calls a node outside the preferred ones cold, and so every node of a pod without affinity', () => {
    expect(buildPodPlacement(aBuildPod({ nodeName: 'node-b', affinity: PREFERS_NODE_A })).warm).toBe(false);
    expect(buildPodPlacement(aBuildPod({ nodeName: 'node-b' })).warm).toBe(false);
  });

  it('gives the scheduler\'s reason and message for a pod it cannot place', () => {
    const pod = aBuildPod({}, {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' } as never],
    });
    expect(buildPodPlacement(pod)).toEqual({ phase: 'Pending', unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' } });
  });

  it('knows nothing yet of a pod the scheduler has not looked at', () => {
    expect(buildPodPlacement(aBuildPod({}))).toEqual({});
  });
});
