import { Core, isNotFound, KubeClient, KubeError } from '@keelson/kube';

import { DataPlaneError } from './data-plane.errors';

/** A Secret's `data`, decoded; undefined when the Secret does not exist. */
export async function readSecretData(kube: KubeClient, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    const secret = await kube.resource(Core.Secret).get(namespace, name);
    const data = (secret.data ?? {}) as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw kubeFailure(`reading Secret ${namespace}/${name}`, err);
  }
}

/** An apiserver failure as this lib's error, keeping whether a retry can help. */
export function kubeFailure(what: string, err: unknown): DataPlaneError {
  if (err instanceof DataPlaneError) return err;
  const retryable = err instanceof KubeError ? err.retryable : true;
  const message = err instanceof Error ? err.message : String(err);
  return new DataPlaneError('KubeApiFailed', `${what}: ${message}`, { cause: err, retryable });
}
