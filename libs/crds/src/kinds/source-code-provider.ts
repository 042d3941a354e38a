import { Type } from '@sinclair/typebox';
import { CrdDefinition } from '../crd-definition';
import { Conditions, Obj, ObservedGeneration, SecretKeyRef, StringEnum, Timestamp } from '../schema-types';

export const PROVIDER_TYPES = ['github', 'gitlab', 'gitea', 'bitbucket'] as const;

export const SourceCodeProviderSpec = Obj({
  type: StringEnum(PROVIDER_TYPES, { description: 'Which git provider this is.' }),
  serverUrl: Type.Optional(Type.String({
    pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', maxLength: 2048,
    description: 'Base URL of the provider; defaults to the public service of the type (github.com, gitlab.com, bitbucket.org).',
  })),
  apiUrl: Type.Optional(Type.String({
    pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', maxLength: 2048,
    description: 'API base URL when it does not follow from serverUrl (derived: api.github.com or <serverUrl>/api/v3, <serverUrl>/api/v4, <serverUrl>/api/v1, api.bitbucket.org/2.0); tokens are sent only to the origins of serverUrl and apiUrl.',
  })),
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'OAuth application client id.' })),
  clientSecretRef: Type.Optional(SecretKeyRef('Secret key holding the OAuth client secret.', 'clientSecret')),
  enabled: Type.Boolean({ default: true, description: 'Whether users may log in and pipelines may use this provider.' }),
}, 'A git provider a project can log in to and receive webhooks from.');

export const SourceCodeProviderStatus = Obj({
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions()),
  lastCheckTime: Type.Optional(Timestamp('When the provider\'s API and OAuth app were last checked.')),
}, 'Written by the provider controller after a real API check.');

export const sourceCodeProvider: CrdDefinition = {
  kind: 'SourceCodeProvider', plural: 'sourcecodeproviders', singular: 'sourcecodeprovider', shortNames: ['scp'],
  description: 'A git provider (GitHub, GitLab, Gitea, Bitbucket) configured for a project.',
  spec: SourceCodeProviderSpec, status: SourceCodeProviderStatus,
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type' },
    { name: 'Server', type: 'string', jsonPath: '.spec.serverUrl' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
