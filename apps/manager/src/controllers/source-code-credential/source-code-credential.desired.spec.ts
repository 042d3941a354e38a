import type { SourceCodeCredential } from '@keelson/crds';
import type { ScmRepository } from '@keelson/scm';
import { desiredRepositories } from './source-code-credential.desired';

const credential = {
  apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'SourceCodeCredential',
  metadata: { name: 'github-0123456789ab', namespace: 'demo', uid: 'uid-1' },
  spec: { providerRef: { name: 'github' }, userName: 'alice', loginName: 'alice', tokenSecretRef: { name: 'github-0123456789ab-token', key: 'accessToken' } },
} as SourceCodeCredential;

function repo(fullName: string, fields: Partial<ScmRepository> = {}): ScmRepository {
  return {
    fullName, cloneUrl: `https://git.example.test/${fullName}.git`, htmlUrl: `https://git.example.test/${fullName}`, defaultBranch: 'main', private: true,
    permissions: { admin: false, push: true }, ...fields,
  };
}

describe('desiredRepositories', () => {
  it('makes one object per repository, owned by the credential and labelled with it', () => {
    const { desired, skipped } = desiredRepositories(credential, [repo('acme/app', { permissions: { admin: true, push: true } })]);
    expect(skipped).toEqual([]);
    expect(desired).toHaveLength(1);
    expect(desired[0].metadata).toMatchObject({
      name: expect.stringMatching(/^acme-app-[0-9a-f]{8}$/), namespace: 'demo', labels: { 'keelson.dev/credential': 'github-0123456789ab' },
      ownerReferences: [{ kind: 'SourceCodeCredential', name: 'github-0123456789ab', uid: 'uid-1', controller: true, blockOwnerDeletion: true, apiVersion: 'devops.keelson.dev/v1alpha1' }],
    });
    expect(desired[0].spec).toEqual({
      credentialRef: { name: 'github-0123456789ab' }, fullName: 'acme/app', url: 'https://git.example.test/acme/app.git', htmlUrl: 'https://git.example.test/acme/app',
      defaultBranch: 'main', private: true, permissions: { pull: true, push: true, admin: true },
    });
  });

  it('leaves out a default branch the schema would refuse (an empty repository has none)', () => {
    expect(desiredRepositories(credential, [repo('acme/empty', { defaultBranch: '' })]).desired[0].spec.defaultBranch).toBeUndefined();
    expect(desiredRepositories(credential, [repo('acme/odd', { defaultBranch: 'bad name' })]).desired[0].spec.defaultBranch).toBeUndefined();
  });

  it('skips a repository whose clone URL is not a git URL, and names it', () => {
    const { desired, skipped } = desiredRepositories(credential, [repo('acme/app'), repo('acme/bad', { cloneUrl: 'javascript:alert(1)' })]);
    expect(desired.map((d) => d.spec.fullName)).toEqual(['acme/app']);
    expect(skipped).toEqual(['acme/bad']);
  });
});
