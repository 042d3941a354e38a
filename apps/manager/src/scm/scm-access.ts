// How the manager talks to a git provider for a Pipeline or a credential: the provider's endpoint (its OAuth app
// secret from a Secret), the credential's token from its Secret, refreshed before it expires and written back.
// Token Secrets hold `accessToken` and, when the provider gives them, `refreshToken` and `expiresAt` (ISO).
import type { Pipeline, SourceCodeCredential, SourceCodeProvider } from '@keelson/crds';
import { Core, Keelson, KubeClient } from '@keelson/kube';
import type { HostLookup, OutboundPolicy } from '@keelson/outbound';
import { repoRefFromUrl, scmClientFor, type ScmClient, type ScmEndpoint, type ScmToken } from '@keelson/scm';
import { DEFAULT_PROVIDER_URLS } from '../executions/git-auth';

export const TOKEN_KEYS = { accessToken: 'accessToken', refreshToken: 'refreshToken', expiresAt: 'expiresAt' } as const;

/** A client with a fresh token, for one repository when asked for a Pipeline. */
export interface ScmSession {
  client: ScmClient;
  token: ScmToken;
  provider: SourceCodeProvider;
  credential: SourceCodeCredential;
}

export class ScmUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScmUnavailableError';
  }
}

type SecretObject = { metadata: { name?: string; resourceVersion?: string }; data?: Record<string, string> };
const decode = (data: Record<string, string> | undefined, key: string) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);

export class ScmAccess {
  constructor(
    private readonly kube: KubeClient,
    private readonly options: { policy: OutboundPolicy; lookup?: HostLookup; timeoutMs?: number },
  ) {}

  /** The provider's endpoint, its OAuth client secret read from the Secret its spec names. */
  async endpointOf(provider: SourceCodeProvider): Promise<ScmEndpoint> {
    const url = provider.spec.serverUrl ?? DEFAULT_PROVIDER_URLS[provider.spec.type];
    if (!url) throw new ScmUnavailableError(`SourceCodeProvider ${provider.metadata.name} (${provider.spec.type}) has no spec.serverUrl`);
    let clientSecret = '';
    const ref = provider.spec.clientSecretRef;
    if (ref) {
      const secret = (await this.kube.resource(Core.Secret).find(provider.metadata.namespace, ref.name)) as SecretObject | undefined;
      clientSecret = decode(secret?.data, ref.key ?? 'clientSecret') ?? '';
    }
    return { type: provider.spec.type, url, ...(provider.spec.apiUrl && { apiUrl: provider.spec.apiUrl }), clientId: provider.spec.clientId ?? '', clientSecret };
  }

  clientFor(endpoint: ScmEndpoint): ScmClient {
    return scmClientFor(endpoint, this.options);
  }

  /** The credential's provider client and token, refreshed (and stored) when it is about to expire. */
  async session(namespace: string, credentialName: string): Promise<ScmSession> {
    const credential = await this.kube.resource(Keelson.SourceCodeCredential).find(namespace, credentialName);
    if (!credential) throw new ScmUnavailableError(`SourceCodeCredential ${namespace}/${credentialName} not found`);
    const provider = await this.kube.resource(Keelson.SourceCodeProvider).find(namespace, credential.spec.providerRef.name);
    if (!provider) throw new ScmUnavailableError(`SourceCodeProvider ${credential.spec.providerRef.name} of SourceCodeCredential ${credentialName} not found`);
    if (provider.spec.enabled === false) throw new ScmUnavailableError(`SourceCodeProvider ${provider.metadata.name} is disabled`);
    const client = this.clientFor(await this.endpointOf(provider));
    const secretName = credential.spec.tokenSecretRef.name;
    const secret = (await this.kube.resource(Core.Secret).find(namespace, secretName)) as SecretObject | undefined;
    const accessToken = decode(secret?.data, credential.spec.tokenSecretRef.key ?? TOKEN_KEYS.accessToken);
    if (!secret || !accessToken) throw new ScmUnavailableError(`the token Secret ${secretName} of SourceCodeCredential ${credentialName} is missing or empty`);
    let token: ScmToken = {
      accessToken, refreshToken: decode(secret.data, TOKEN_KEYS.refreshToken), expiresAt: decode(secret.data, TOKEN_KEYS.expiresAt),
    };
    if (token.refreshToken && client.needsRefresh(token)) {
      token = await client.refresh(token);
      await this.storeToken(namespace, secretName, token);
    }
    return { client, token, provider, credential };
  }

  /** For a Pipeline whose repository is on its credential's provider: the session and the repository's full name. */
  async forPipeline(pipeline: Pipeline): Promise<(ScmSession & { repo: string }) | undefined> {
    const ref = pipeline.spec.credentialRef;
    if (!ref) return undefined;
    const session = await this.session(pipeline.metadata.namespace!, ref.name);
    const repo = repoRefFromUrl(await this.endpointOf(session.provider), pipeline.spec.repositoryUrl);
    return repo ? { ...session, repo } : undefined;
  }

  /** Writes a token into its Secret (merge patch: other keys stay). */
  async storeToken(namespace: string, secretName: string, token: ScmToken): Promise<void> {
    await this.kube.resource(Core.Secret).patch(namespace, secretName, {
      stringData: {
        [TOKEN_KEYS.accessToken]: token.accessToken,
        ...(token.refreshToken && { [TOKEN_KEYS.refreshToken]: token.refreshToken }),
        ...(token.expiresAt && { [TOKEN_KEYS.expiresAt]: token.expiresAt }),
      },
    });
  }
}

