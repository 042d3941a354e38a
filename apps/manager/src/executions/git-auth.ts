// The git credentials of a pipeline: its SourceCodeCredential's token, read from the Secret it references.
import type { Pipeline } from '@keelson/crds';
import { Core, Keelson, KubeClient } from '@keelson/kube';

export interface GitCredentials {
  username: string;
  password: string;
}

/** The pipeline names credentials that are not there: the user must fix the pipeline, retrying will not. */
export class CredentialUnavailableError extends Error {
  readonly name = 'CredentialUnavailableError';
}

export async function gitCredentialsOf(kube: KubeClient, pipeline: Pipeline): Promise<GitCredentials | undefined> {
  const ref = pipeline.spec.credentialRef;
  if (!ref) return undefined;
  const namespace = pipeline.metadata.namespace;
  const pipelineName = `pipeline ${namespace}/${pipeline.metadata.name}`;
  const credential = await kube.resource(Keelson.SourceCodeCredential).find(namespace, ref.name);
  if (!credential) throw new CredentialUnavailableError(`${pipelineName}: SourceCodeCredential ${ref.name} (spec.credentialRef) not found`);
  const secretRef = credential.spec.tokenSecretRef;
  const secret = (await kube.resource(Core.Secret).find(namespace, secretRef.name)) as { data?: Record<string, string> } | undefined;
  if (!secret) throw new CredentialUnavailableError(`${pipelineName}: Secret ${secretRef.name} of SourceCodeCredential ${ref.name} not found`);
  const encoded = secret.data?.[secretRef.key ?? 'accessToken'];
  if (!encoded) throw new CredentialUnavailableError(`${pipelineName}: Secret ${secretRef.name} has no key ${secretRef.key ?? 'accessToken'}`);
  return { username: credential.spec.gitLoginName ?? credential.spec.loginName, password: Buffer.from(encoded, 'base64').toString('utf8') };
}
