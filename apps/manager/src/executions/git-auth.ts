// The git credentials of a pipeline: its SourceCodeCredential's token, read from the Secret it references, and
// only for a repository on the server of the credential's SourceCodeProvider (ADR 0004). A token is a login at
// one provider; a Pipeline whose repositoryUrl names another host must not carry it there, whether the manager
// fetches the config or Jenkins checks the code out.
import type { Pipeline, SourceCodeProvider } from '@keelson/crds';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import { checkOutboundUrl, OutboundError, STRICT_OUTBOUND_POLICY, type OutboundPolicy } from '@keelson/outbound';

export interface GitCredentials {
  username: string;
  password: string;
}

/** The pipeline's credential is missing, or may not go to its repository: the user must fix the pipeline, retrying will not. */
export class CredentialUnavailableError extends Error {
  readonly name = 'CredentialUnavailableError';
}

/** The public service of each provider type; gitea has none, so its providers must name their server. */
export const DEFAULT_PROVIDER_URLS: Readonly<Record<SourceCodeProvider['spec']['type'], string | undefined>> = {
  github: 'https://github.com',
  gitlab: 'https://gitlab.com',
  bitbucket: 'https://bitbucket.org',
  gitea: undefined,
};

/**
 * The credentials to send to `repositoryUrl` (the URL git or Jenkins will fetch), or `undefined` for a public
 * pipeline. Refuses, before the Secret is read, when the provider is missing or disabled, when the repository is
 * not at the provider's origin (scheme, host, port), and when that origin uses plain http the policy does not allow.
 */
export async function gitCredentialsOf(
  kube: KubeClient, pipeline: Pipeline, repositoryUrl = pipeline.spec.repositoryUrl, policy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
): Promise<GitCredentials | undefined> {
  const ref = pipeline.spec.credentialRef;
  if (!ref) return undefined;
  const namespace = pipeline.metadata.namespace;
  const pipelineName = `pipeline ${namespace}/${pipeline.metadata.name}`;
  const refuse = (problem: string): never => {
    throw new CredentialUnavailableError(`${pipelineName}: ${problem}`);
  };
  const credential = await kube.resource(Keelson.SourceCodeCredential).find(namespace, ref.name);
  if (!credential) return refuse(`SourceCodeCredential ${ref.name} (spec.credentialRef) not found`);
  const providerName = credential.spec.providerRef.name;
  const provider = await kube.resource(Keelson.SourceCodeProvider).find(namespace, providerName);
  if (!provider) return refuse(`SourceCodeProvider ${providerName} of SourceCodeCredential ${ref.name} not found`);
  if (provider.spec.enabled === false) return refuse(`SourceCodeProvider ${providerName} of SourceCodeCredential ${ref.name} is disabled`);
  const serverUrl = provider.spec.serverUrl ?? DEFAULT_PROVIDER_URLS[provider.spec.type];
  if (!serverUrl) return refuse(`SourceCodeProvider ${providerName} (${provider.spec.type}) has no spec.serverUrl, and ${provider.spec.type} has no public server to default to`);
  const providerOrigin = originOf(serverUrl);
  if (!providerOrigin) return refuse(`SourceCodeProvider ${providerName} has a spec.serverUrl that is not an http(s) URL`);
  const repositoryOrigin = originOf(repositoryUrl);
  if (repositoryOrigin !== providerOrigin) {
    const where = repositoryOrigin ? `to ${repositoryOrigin}` : 'to a repository that is not an http(s) URL';
    return refuse(`the token of SourceCodeCredential ${ref.name} is only sent to its SourceCodeProvider ${providerName} (${providerOrigin}), not ${where}; point spec.repositoryUrl at ${providerOrigin} or use a credential of that server's provider`);
  }
  try {
    checkOutboundUrl(repositoryUrl, policy); // plain http, and a literal address, are decided before any connection
  } catch (err) {
    if (err instanceof OutboundError) return refuse(`the token of SourceCodeCredential ${ref.name} is not sent: ${err.message}`);
    throw err;
  }
  const secretRef = credential.spec.tokenSecretRef;
  const secret = (await kube.resource(Core.Secret).find(namespace, secretRef.name)) as { data?: Record<string, string> } | undefined;
  if (!secret) return refuse(`Secret ${secretRef.name} of SourceCodeCredential ${ref.name} not found`);
  const encoded = secret.data?.[secretRef.key ?? 'accessToken'];
  if (!encoded) return refuse(`Secret ${secretRef.name} has no key ${secretRef.key ?? 'accessToken'}`);
  return { username: credential.spec.gitLoginName ?? credential.spec.loginName, password: Buffer.from(encoded, 'base64').toString('utf8') };
}

/**
 * What git sends to read a pipeline's repository: nothing for a fork's repository (someone else's, ADR 0004),
 * else the pipeline's credentials as gitCredentialsOf allows them. The preparer and the config route share it, so a
 * run's file is read again exactly as it was read when the run was made.
 */
export async function repositoryReadCredentials(
  kube: KubeClient, pipeline: Pipeline, repositoryUrl: string, options: { anonymous?: boolean }, policy: OutboundPolicy,
): Promise<GitCredentials | undefined> {
  return options.anonymous ? undefined : gitCredentialsOf(kube, pipeline, repositoryUrl, policy);
}

/** `scheme://host[:port]` of an http(s) URL, as URL parsing normalises it; `undefined` for anything else. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
