// "The user picks a repository and creates a Pipeline for it through the API" (issue 11 §4): a Pipeline for a
// SourceCodeRepository, cloning with the credential that listed it. Only that credential's own user may: a token is
// a person's login at the provider, and nobody else's Pipeline should act as them.
import type { Pipeline } from '@keelson/crds';
import { API_VERSION } from '@keelson/crds';
import { isAlreadyExists, Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import { pipelineName } from './source-code-names';
import { SourceCodeError } from './source-code.errors';

export const REPOSITORY_LABEL = 'keelson.dev/repository';

export interface PipelineRequest {
  repository: string;
  name?: string;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `{repository, name?}`, nothing else; errors name the field. */
export function parsePipelineRequest(body: unknown): PipelineRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SourceCodeError('InvalidRequest', 'body: expected a JSON object {repository, name?}');
  const { repository, name, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new SourceCodeError('InvalidRequest', `body: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected repository and name`);
  if (typeof repository !== 'string' || !repository || repository.length > 253) {
    throw new SourceCodeError('InvalidRequest', 'repository: expected the name of a SourceCodeRepository of this namespace');
  }
  if (name !== undefined && (typeof name !== 'string' || !DNS_1123_LABEL.test(name))) {
    throw new SourceCodeError('InvalidRequest', 'name: expected a DNS-1123 label (lower-case letters, digits and -, at most 63 characters)');
  }
  return { repository, ...(name !== undefined && { name: name as string }) };
}

export async function createPipelineFromRepository(kube: KubeClient, namespace: string, request: PipelineRequest, user: string): Promise<Pipeline> {
  const repository = await kube.resource(Keelson.SourceCodeRepository).find(namespace, request.repository);
  if (!repository) throw new SourceCodeError('RepositoryNotFound', `repository: SourceCodeRepository ${namespace}/${request.repository} not found`, { namespace, name: request.repository });
  const credentialName = repository.spec.credentialRef.name;
  const credential = await kube.resource(Keelson.SourceCodeCredential).find(namespace, credentialName);
  if (!credential) throw new SourceCodeError('CredentialNotFound', `SourceCodeCredential ${namespace}/${credentialName} of repository ${request.repository} not found`, { namespace, name: credentialName });
  if (credential.spec.userName !== user) {
    throw new SourceCodeError('NotYourCredential', `repository: ${request.repository} was listed with another user's SourceCodeCredential (${credentialName}); sign in to its provider yourself and pick your own listing`, { namespace, credential: credentialName });
  }
  const fullName = repository.spec.fullName ?? request.repository;
  const name = request.name ?? pipelineName(fullName);
  try {
    return await kube.resource(Keelson.Pipeline).create({
      apiVersion: API_VERSION, kind: 'Pipeline',
      metadata: { name, namespace, labels: { [REPOSITORY_LABEL]: request.repository.slice(0, 63) }, annotations: { 'keelson.dev/created-by': user } },
      spec: {
        displayName: fullName.slice(0, 256), repositoryUrl: repository.spec.url, credentialRef: { name: credentialName },
        configPath: '.devops.yml', suspend: false,
      },
    } as ObjectOf<typeof Keelson.Pipeline>);
  } catch (err) {
    if (isAlreadyExists(err)) throw new SourceCodeError('PipelineExists', `name: Pipeline ${namespace}/${name} exists; give another name`, { namespace, name });
    throw err;
  }
}
