import { KubeClient } from '@keelson/kube';
import { stringify } from 'yaml';

import { checkDataPlaneKubeconfig, kubeClientFor } from './data-plane-cluster';
import { aSetting } from './testing/data-plane.builders';

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'x',
    clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Q0E=', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
  });
}

describe('a kubeconfig for another data-plane cluster', () => {
  it('is accepted with inline token or client certificate data', () => {
    expect(() => checkDataPlaneKubeconfig(kubeconfig({ token: 'abc' }))).not.toThrow();
    expect(() => checkDataPlaneKubeconfig(kubeconfig({ 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' }))).not.toThrow();
  });

  it.each([
    ['an exec plugin, which would run a command in the manager', { exec: { command: 'sh', args: ['-c', 'id'] } }],
    ['an auth-provider', { 'auth-provider': { name: 'gcp' } }],
    ['a token file, which would send the manager its own ServiceAccount token', { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' }],
    ['a client key file', { 'client-certificate': '/etc/cert', 'client-key': '/etc/key' }],
  ])('is refused with %s', (_, user) => {
    expect(() => checkDataPlaneKubeconfig(kubeconfig(user))).toThrow(expect.objectContaining({ code: 'InvalidKubeconfig', retryable: false }));
  });

  it.each([
    ['TLS verification off', { 'insecure-skip-tls-verify': true }],
    ['a CA file', { 'certificate-authority': '/etc/ca' }],
    ['a proxy', { 'proxy-url': 'http://evil:3128' }],
    ['plain http', { server: 'http://10.0.0.1:8080' }],
  ])('is refused with %s on the cluster', (_, cluster) => {
    expect(() => checkDataPlaneKubeconfig(kubeconfig({ token: 'abc' }, cluster))).toThrow(expect.objectContaining({ code: 'InvalidKubeconfig' }));
  });

  it('is refused when it is not a kubeconfig', () => {
    expect(() => checkDataPlaneKubeconfig('[1, 2')).toThrow(expect.objectContaining({ code: 'InvalidKubeconfig' }));
    expect(() => checkDataPlaneKubeconfig('just text')).toThrow(expect.objectContaining({ code: 'InvalidKubeconfig' }));
    expect(() => checkDataPlaneKubeconfig(stringify({ users: [], clusters: [] }))).toThrow(expect.objectContaining({ code: 'InvalidKubeconfig' }));
  });

  it('is not needed when the setting names none: the management cluster is the data plane', async () => {
    const management = new KubeClient({ server: 'https://127.0.0.1:1', token: 't' });
    await expect(kubeClientFor(management, 'team-a', aSetting())).resolves.toBe(management);
    await expect(kubeClientFor(management, 'team-a', aSetting({ dataPlane: {} }))).resolves.toBe(management);
  });
});
