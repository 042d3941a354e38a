// The cluster a project's data plane lives in: the management cluster, or the one a PipelineSetting names
// through a kubeconfig Secret in the project namespace. That kubeconfig is written by project members, so the
// manager accepts only inline credentials: an `exec` or `auth-provider` entry would run a command inside the
// manager, and a file path (`tokenFile`, `client-key`, ...) would send the manager's own files - its
// ServiceAccount token first - to a server of the writer's choosing.
import type { PipelineSettingSpec } from '@keelson/crds';
import { KubeClient } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import { parse } from 'yaml';

import { DataPlaneError } from './data-plane.errors';
import { readSecretData } from './secret-data';

const DEFAULT_KEY = 'kubeconfig';

const REFUSED_USER_FIELDS = ['exec', 'auth-provider', 'tokenFile', 'client-certificate', 'client-key'];
const REFUSED_CLUSTER_FIELDS = ['certificate-authority', 'proxy-url'];

function invalid(message: string, cause?: unknown): DataPlaneError {
  return new DataPlaneError('InvalidKubeconfig', message, { cause });
}

function entries(doc: Record<string, unknown>, list: string, field: string): Array<{ name: string; body: Record<string, unknown> }> {
  const items = doc[list];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw invalid(`kubeconfig ${list} is not a list`);
  return items.map((item: unknown) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const body = entry[field];
    if (body === null || typeof body !== 'object') throw invalid(`kubeconfig ${list} entry ${JSON.stringify(entry.name)} has no ${field}`);
    return { name: String(entry.name), body: body as Record<string, unknown> };
  });
}

/** Refuses a kubeconfig that would make the manager run commands, read its files or skip TLS verification. */
export function checkDataPlaneKubeconfig(text: string): void {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch (err) {
    throw invalid('the kubeconfig is not valid YAML', err);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('the kubeconfig is not a mapping');
  const config = doc as Record<string, unknown>;
  for (const { name, body } of entries(config, 'users', 'user')) {
    const refused = REFUSED_USER_FIELDS.filter((f) => body[f] !== undefined);
    if (refused.length > 0) throw invalid(`kubeconfig user ${JSON.stringify(name)} uses ${refused.join(', ')}; only inline credentials are accepted`);
  }
  const clusters = entries(config, 'clusters', 'cluster');
  if (clusters.length === 0) throw invalid('the kubeconfig has no cluster');
  for (const { name, body } of clusters) {
    const refused = REFUSED_CLUSTER_FIELDS.filter((f) => body[f] !== undefined);
    if (refused.length > 0) throw invalid(`kubeconfig cluster ${JSON.stringify(name)} uses ${refused.join(', ')}; only inline data is accepted`);
    if (body['insecure-skip-tls-verify'] === true) throw invalid(`kubeconfig cluster ${JSON.stringify(name)} turns TLS verification off`);
    const server = typeof body.server === 'string' ? body.server : '';
    if (!server.startsWith('https://')) throw invalid(`kubeconfig cluster ${JSON.stringify(name)} must have an https server`);
  }
  if (typeof config['current-context'] !== 'string' || !config['current-context']) throw invalid('the kubeconfig has no current-context');
}

/**
 * A client for the data-plane cluster of a project: `management` itself when the setting names no kubeconfig,
 * otherwise one built from the named Secret (in `projectNamespace` of the management cluster).
 */
export async function kubeClientFor(
  management: KubeClient, projectNamespace: string, setting: PipelineSettingSpec, logger?: Logger,
): Promise<KubeClient> {
  const ref = setting.dataPlane?.kubeconfigSecretRef;
  if (!ref) return management;
  const key = ref.key || DEFAULT_KEY;
  const data = await readSecretData(management, projectNamespace, ref.name);
  const text = data?.[key];
  if (!text) {
    throw new DataPlaneError('KubeconfigSecretMissing', `Secret ${projectNamespace}/${ref.name} has no key ${JSON.stringify(key)}`);
  }
  checkDataPlaneKubeconfig(text);
  try {
    return new KubeClient({ kubeconfig: text }, logger);
  } catch (err) {
    throw invalid(`the kubeconfig in Secret ${projectNamespace}/${ref.name} cannot be loaded: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
