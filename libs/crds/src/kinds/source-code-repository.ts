import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, LocalRef, Obj, ObservedGeneration, Timestamp } from '../schema-types';
import { GIT_URL_PATTERN, GIT_REF_NAME_PATTERN } from './patterns';

export const SourceCodeRepositorySpec = Obj({
  credentialRef: LocalRef('The SourceCodeCredential this repository was listed with.'),
  fullName: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'The provider\'s full name: owner/name (GitLab: group/sub/project).' })),
  htmlUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'The repository\'s web page.' })),
  private: Type.Optional(Type.Boolean({ description: 'Whether only some users can read it.' })),
  url: Type.String({ pattern: GIT_URL_PATTERN, maxLength: 2048, description: 'Clone URL.' }),
  defaultBranch: Type.Optional(Type.String({ pattern: GIT_REF_NAME_PATTERN, maxLength: 255, description: 'Default branch.' })),
  language: Type.Optional(Type.String({ maxLength: 64, description: 'Main language, as the provider reports it.' })),
  permissions: Type.Optional(Obj({
    pull: Type.Boolean({ default: false, description: 'May read.' }),
    push: Type.Boolean({ default: false, description: 'May push.' }),
    admin: Type.Boolean({ default: false, description: 'May manage webhooks.' }),
  }, 'What the credential may do with this repository.')),
}, 'A repository a credential can see.');

export const SourceCodeRepositoryStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  lastRefreshTime: Type.Optional(Timestamp('When the list was last refreshed from the provider.')),
}, 'Written by the credential controller.');

export const sourceCodeRepository: CrdDefinition = {
  kind: 'SourceCodeRepository', plural: 'sourcecoderepositories', singular: 'sourcecoderepository', shortNames: ['scr'],
  description: 'A git repository visible through a SourceCodeCredential.',
  spec: SourceCodeRepositorySpec, status: SourceCodeRepositoryStatus,
  printerColumns: [
    { name: 'Full Name', type: 'string', jsonPath: '.spec.fullName' },
    { name: 'URL', type: 'string', jsonPath: '.spec.url', priority: 1 },
    { name: 'Credential', type: 'string', jsonPath: '.spec.credentialRef.name' },
    { name: 'Default Branch', type: 'string', jsonPath: '.spec.defaultBranch' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
