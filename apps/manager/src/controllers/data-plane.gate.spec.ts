import type { DataPlaneInput, DataPlaneStatus } from '@keelson/data-plane';
import type { DataPlaneCluster, DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { ProvisioningGate } from './data-plane.gate';

/** A cluster whose provisioner records what it was asked. */
function aCluster(): DataPlaneCluster & { inputs: DataPlaneInput[] } {
  const inputs: DataPlaneInput[] = [];
  const provisioner = { ensure: async (input: DataPlaneInput): Promise<DataPlaneStatus> => {
    inputs.push(input);
    return { namespace: `${input.project}-pipeline`, ready: true, missingNamespaces: [] };
  } };
  return { inputs, provisioner } as unknown as DataPlaneCluster & { inputs: DataPlaneInput[] };
}

const managerAccess = { serviceAccount: { namespace: 'keelson-system', name: 'keelson-manager' }, dataPlaneClusterRole: 'ci-keelson-data-plane', buildsClusterRole: 'ci-keelson-builds' };

describe('ProvisioningGate and the chart\'s roles', () => {
  const management = aCluster();
  const remote = aCluster();
  const clusters = { management, forProject: async (project: string) => (project === 'far' ? remote : management) } as unknown as DataPlaneClusters;
  const gate = new ProvisioningGate(clusters, { deployClusterRole: 'ci-keelson-deploy', managerAccess });

  it('binds the manager\'s own roles in a data plane of the management cluster, and names the chart\'s deploy role', async () => {
    await gate.ensure('near', undefined);
    expect(management.inputs[0]).toMatchObject({ project: 'near', deployClusterRole: 'ci-keelson-deploy', managerAccess });
  });

  it('binds nothing for itself in another cluster, where it acts as that kubeconfig\'s user', async () => {
    await gate.ensure('far', undefined);
    expect(remote.inputs[0]).toMatchObject({ project: 'far', deployClusterRole: 'ci-keelson-deploy' });
    expect(remote.inputs[0]).not.toHaveProperty('managerAccess');
  });

  it('leaves both out when unset (local mode: the data plane applies keelson-deploy)', async () => {
    const local = aCluster();
    await new ProvisioningGate({ management: local, forProject: async () => local } as unknown as DataPlaneClusters).ensure('p', undefined);
    expect(local.inputs[0]).not.toHaveProperty('managerAccess');
    expect(local.inputs[0]).not.toHaveProperty('deployClusterRole');
  });
});
