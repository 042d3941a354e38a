// Errors of the data-plane provisioner. Input errors (a bad project name, an unpinned image, a kubeconfig that
// would run a command in the manager) are permanent: the setting or the operator must change. Apiserver
// failures keep the retryable flag of the KubeError that caused them.

export const DATA_PLANE_ERROR_CODES = [
  'InvalidName', // a project, namespace or Secret name that is not a DNS label, or too long once suffixed
  'UnpinnedImage', // an image without a tag or digest, or tagged `latest`
  'KubeconfigSecretMissing', // the PipelineSetting names a kubeconfig Secret (or key) that does not exist
  'InvalidKubeconfig', // the kubeconfig does not parse, or asks for something the manager refuses to do
  'CredentialsMissing', // a generated Secret the manager reads does not exist (yet): the data plane is not provisioned
  'InvalidEndpoint', // an endpoint override, or the registry's notification URL or token, that is not a plain http(s) URL or token
  'KubeApiFailed', // the apiserver refused or failed a call
] as const;
export type DataPlaneErrorCode = (typeof DATA_PLANE_ERROR_CODES)[number];

export class DataPlaneError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: DataPlaneErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DataPlaneError';
    this.retryable = options.retryable ?? false;
  }
}
