import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface ClusterAccess {
  server: string;
  caPem: string;
  token: string;
}

/** A kubeconfig that plain kubectl (and @kubernetes/client-node) accepts, with the CA inline. */
export function kubeconfigYaml(access: ClusterAccess, name = 'keelson'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: access.server, 'certificate-authority-data': Buffer.from(access.caPem).toString('base64') } }],
    users: [{ name, user: { token: access.token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}

export function writeKubeconfig(path: string, access: ClusterAccess, name?: string): string {
  writeFileSync(path, kubeconfigYaml(access, name), { mode: 0o600 });
  return path;
}
