import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, LocalRef, Obj, ObservedGeneration, SecretKeyRef, Timestamp } from '../schema-types';

export const SourceCodeCredentialSpec = Obj({
  providerRef: LocalRef('The SourceCodeProvider this credential logs in to.'),
  userName: Type.String({ minLength: 1, maxLength: 253, description: 'The Kubernetes user this credential belongs to.' }),
  loginName: Type.String({ minLength: 1, maxLength: 256, description: 'Login at the provider.' }),
  gitLoginName: Type.Optional(Type.String({ maxLength: 256, description: 'User name for git over HTTPS (for example oauth2 on GitLab).' })),
  displayName: Type.Optional(Type.String({ maxLength: 256, description: 'Display name at the provider.' })),
  avatarUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Avatar image URL.' })),
  htmlUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Profile page URL.' })),
  tokenSecretRef: SecretKeyRef('Secret key holding the access token; the token is never in the spec.', 'accessToken'),
}, 'A user\'s login at a git provider.');

export const SourceCodeCredentialStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  tokenExpiresAt: Type.Optional(Timestamp('When the access token expires, when the provider says.')),
  lastRefreshTime: Type.Optional(Timestamp('When the repositories were last listed from the provider.')),
  repositoryCount: Type.Optional(Type.Integer({ minimum: 0, description: 'How many repositories the last listing found.' })),
  handledRefreshRequest: Type.Optional(Type.String({ maxLength: 128, description: 'The value of the keelson.dev/refresh-repositories annotation the last listing answered.' })),
}, 'Written by the credential controller.');

export const sourceCodeCredential: CrdDefinition = {
  kind: 'SourceCodeCredential', plural: 'sourcecodecredentials', singular: 'sourcecodecredential', shortNames: ['scc'],
  description: 'A user\'s login at a git provider; the token itself lives in a Secret.',
  spec: SourceCodeCredentialSpec, status: SourceCodeCredentialStatus,
  printerColumns: [
    { name: 'Provider', type: 'string', jsonPath: '.spec.providerRef.name' },
    { name: 'Login', type: 'string', jsonPath: '.spec.loginName' },
    { name: 'User', type: 'string', jsonPath: '.spec.userName' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Repositories', type: 'integer', jsonPath: '.status.repositoryCount' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
