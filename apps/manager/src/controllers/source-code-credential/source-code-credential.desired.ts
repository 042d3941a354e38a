// The SourceCodeRepository objects a credential's listing stands for: pure builders, one per repository the
// provider says the user can push to, named from the full name (source-code-names.ts) and owned by the credential.
import type { SourceCodeCredential, SourceCodeRepository } from '@keelson/crds';
import { API_VERSION } from '@keelson/crds';
import type { ScmRepository } from '@keelson/scm';
import { repositoryName } from '../../source-code/source-code-names';
import { CREDENTIAL_LABEL } from '../../source-code/token-secret';

const GIT_URL = /^((https?|ssh|git|file):\/\/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)$/;
const REF_NAME = /^[^-/\s~^:?*[\\\x00-\x1f\x7f][^\s~^:?*[\\\x00-\x1f\x7f]*$/;

export type DesiredRepository = Pick<SourceCodeRepository, 'apiVersion' | 'kind' | 'metadata' | 'spec'>;

/** The objects for a listing; a repository whose URL the schema would refuse is left out and named in `skipped`. */
export function desiredRepositories(credential: SourceCodeCredential, listing: ScmRepository[]): { desired: DesiredRepository[]; skipped: string[] } {
  const desired = new Map<string, DesiredRepository>();
  const skipped: string[] = [];
  for (const repo of listing) {
    if (!GIT_URL.test(repo.cloneUrl) || repo.cloneUrl.length > 2048 || !repo.fullName || repo.fullName.length > 512) {
      skipped.push(repo.fullName);
      continue;
    }
    const object = repositoryObject(credential, repo);
    desired.set(object.metadata.name!, object);
  }
  return { desired: [...desired.values()], skipped };
}

export function repositoryObject(credential: SourceCodeCredential, repo: ScmRepository): DesiredRepository {
  const name = credential.metadata.name!;
  return {
    apiVersion: API_VERSION,
    kind: 'SourceCodeRepository',
    metadata: {
      name: repositoryName(name, repo.fullName),
      namespace: credential.metadata.namespace,
      labels: { [CREDENTIAL_LABEL]: name },
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'SourceCodeCredential', name, uid: credential.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      credentialRef: { name },
      fullName: repo.fullName,
      url: repo.cloneUrl,
      ...(/^https?:\/\//.test(repo.htmlUrl) && repo.htmlUrl.length <= 2048 && { htmlUrl: repo.htmlUrl }),
      ...(repo.defaultBranch && REF_NAME.test(repo.defaultBranch) && repo.defaultBranch.length <= 255 && { defaultBranch: repo.defaultBranch }),
      private: repo.private,
      // Listed repositories are those the user can push to (ScmClient.repositories), so they can read them too.
      permissions: { pull: true, push: repo.permissions.push || repo.permissions.admin, admin: repo.permissions.admin },
    },
  };
}
