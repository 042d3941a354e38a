// The git credentials of a pipeline: its SourceCodeCredential's token, read from the Secret it references.
import type { Pipeline } from '@keelson/crds';
import { Core, Keelson, KubeClient } from '@keelson/kube';

export interface GitCredentials {
  username: string;
  password: string;
}

export async function gitCredentialsOf(kube: KubeClient, pipeline: Pipeline): Promise<GitCredentials | undefined> {
  const ref = pipeline.spec.credentialRef;
  if (!ref) return undefined;
  const namespace = pipeline.metadata.namespace;
  const credential = await kube.resource(Keelson.SourceCodeCredential).get(namespace, ref.name);
  const secretRef = credential.spec.tokenSecretRef;
  const secret = (await kube.resource(Core.Secret).get(namespace, secretRef.name)) as { data?: Record<string, string> };
  const encoded = secret.data?.[secretRef.key ?? 'accessToken'];
  if (!encoded) throw new Error(`Secret ${namespace}/${secretRef.name} has no key ${secretRef.key ?? 'accessToken'}`);
  return { username: credential.spec.gitLoginName ?? credential.spec.loginName, password: Buffer.from(encoded, 'base64').toString('utf8') };
}
