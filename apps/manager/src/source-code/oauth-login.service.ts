// Signing a Kubernetes user in at a git provider (issue 11 §2): the authorize URL with a signed state, and the
// callback that checks the state, trades the code for a token, asks the provider who signed in, and keeps both as
// a SourceCodeCredential and the Secret it owns. The callback has no bearer token: the state says who started it.
import type { SourceCodeCredential, SourceCodeProvider } from '@keelson/crds';
import { API_VERSION } from '@keelson/crds';
import { Keelson, KubeClient, type ObjectOf } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import type { OneTimeKeys } from '@keelson/queue';
import { ScmError, type ScmClient, type ScmProviderType, type ScmToken, type ScmUser } from '@keelson/scm';
import { ScmUnavailableError, TOKEN_KEYS, type ScmAccess } from '../scm/scm-access';
import { newState, signState, verifyState, type OAuthState } from './oauth-state';
import type { OAuthStateKey } from './oauth-state-key';
import { REFRESH_ANNOTATION } from './refresh-request';
import { credentialName, tokenSecretName } from './source-code-names';
import { SourceCodeError } from './source-code.errors';
import { CREDENTIAL_LABEL, writeTokenSecret } from './token-secret';

export const CALLBACK_PATH = '/api/v1/oauth/callback';

/** The user name git over HTTPS takes with an OAuth token, where the provider wants a fixed one. */
const GIT_LOGIN_NAMES: Partial<Record<ScmProviderType, string>> = { gitlab: 'oauth2', bitbucket: 'x-token-auth' };

export interface OAuthLoginDeps {
  kube: KubeClient;
  access: ScmAccess;
  stateKey: OAuthStateKey;
  usedStates: OneTimeKeys;
  /** PUBLIC_URL: the callback is `<publicUrl>/api/v1/oauth/callback`. */
  publicUrl?: string;
  logger: Logger;
  now?: () => Date;
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export class OAuthLogin {
  constructor(private readonly deps: OAuthLoginDeps) {}

  /** Where the provider sends the browser back; PUBLIC_URL must be set. */
  callbackUrl(): string {
    if (!this.deps.publicUrl) throw new SourceCodeError('NotConfigured', 'PUBLIC_URL is not set: the manager has no callback URL for a git provider to send the browser back to');
    return `${this.deps.publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}`;
  }

  /** The provider's authorize URL, with a state signed for `user`, valid ten minutes, usable once. */
  async authorizeUrl(namespace: string, providerName: string, user: string): Promise<string> {
    const redirectUri = this.callbackUrl();
    const { client } = await this.providerClient(namespace, providerName);
    const state = signState(newState({ namespace, provider: providerName, user }, this.now()), await this.deps.stateKey.key());
    return client.authorizeUrl(state, redirectUri);
  }

  /** The callback: the credential made or updated for the state's user. */
  async complete(query: CallbackQuery): Promise<SourceCodeCredential> {
    if (!query.state) throw new SourceCodeError('MissingParameter', 'state: the callback has no state parameter');
    const state = verifyState(query.state, await this.deps.stateKey.key(), this.now());
    if (query.error) {
      const description = query.error_description ? `: ${query.error_description.slice(0, 300)}` : '';
      throw new SourceCodeError('AccessDenied', `the provider answered error=${query.error.slice(0, 64)}${description}`, { provider: state.provider, namespace: state.namespace });
    }
    if (!query.code) throw new SourceCodeError('MissingParameter', 'code: the callback has no code parameter');
    await this.claim(state);
    const { provider, client } = await this.providerClient(state.namespace, state.provider);
    const redirectUri = this.callbackUrl();
    const token = await this.call(provider, 'exchange the code', () => client.exchangeCode(query.code!, redirectUri));
    const user = await this.call(provider, 'read the signed-in user', () => client.currentUser(token));
    const credential = await this.saveCredential(state, provider, user, token);
    this.deps.logger.info({ namespace: state.namespace, credential: credential.metadata.name, provider: state.provider, user: state.user, login: user.login }, 'git provider sign-in completed');
    return credential;
  }

  /** A state completes one sign-in: the nonce is recorded until the state would have expired anyway. */
  private async claim(state: OAuthState): Promise<void> {
    const ttl = state.expiresAt - Math.floor(this.now().getTime() / 1000) + 60;
    let first: boolean;
    try {
      first = await this.deps.usedStates.claim(`oauth-state:${state.nonce}`, ttl);
    } catch (err) {
      throw new SourceCodeError('StateStoreUnavailable', `the use of the state cannot be recorded: ${(err as Error).message}`, {}, { cause: err });
    }
    if (!first) throw new SourceCodeError('StateReused', 'state: refused, it already completed a sign-in; start again from the authorize URL');
  }

  private async providerClient(namespace: string, name: string): Promise<{ provider: SourceCodeProvider; client: ScmClient }> {
    const provider = await this.deps.kube.resource(Keelson.SourceCodeProvider).find(namespace, name);
    if (!provider) throw new SourceCodeError('ProviderNotFound', `SourceCodeProvider ${namespace}/${name} not found`, { namespace, name });
    if (provider.spec.enabled === false) throw new SourceCodeError('ProviderDisabled', `SourceCodeProvider ${namespace}/${name} is disabled (spec.enabled)`, { namespace, name });
    if (!provider.spec.clientId) throw new SourceCodeError('ProviderNotConfigured', `SourceCodeProvider ${namespace}/${name} has no spec.clientId: register an OAuth app at the provider first`, { namespace, name });
    try {
      const endpoint = await this.deps.access.endpointOf(provider);
      if (!endpoint.clientSecret) throw new ScmUnavailableError(`SourceCodeProvider ${name}: the OAuth client secret (spec.clientSecretRef) is missing or empty`);
      return { provider, client: this.deps.access.clientFor(endpoint) };
    } catch (err) {
      if (err instanceof ScmUnavailableError || (err instanceof ScmError && err.code === 'InvalidEndpoint')) {
        throw new SourceCodeError('ProviderNotConfigured', err.message, { namespace, name });
      }
      throw err;
    }
  }

  private async call<T>(provider: SourceCodeProvider, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ScmError)) throw err;
      const name = provider.metadata.name;
      if (err.code === 'Unauthorized') throw new SourceCodeError('CodeRefused', `SourceCodeProvider ${name} refused to ${what}: ${err.message}`, { provider: name });
      const retryAt = err.retryAt ? { retryAt: err.retryAt } : {};
      throw new SourceCodeError('ProviderUnavailable', `SourceCodeProvider ${name}: could not ${what}: ${err.message}`, { provider: name, ...retryAt }, { cause: err });
    }
  }

  /** One credential per user and provider: made at the first sign-in, its login and token replaced at the next. */
  private async saveCredential(state: OAuthState, provider: SourceCodeProvider, user: ScmUser, token: ScmToken): Promise<SourceCodeCredential> {
    const credentials = this.deps.kube.resource(Keelson.SourceCodeCredential);
    const name = credentialName(provider.metadata.name!, state.user);
    const avatarUrl = user.avatarUrl && /^https?:\/\//.test(user.avatarUrl) ? user.avatarUrl.slice(0, 2048) : undefined;
    const spec: SourceCodeCredential['spec'] = {
      providerRef: { name: provider.metadata.name! },
      userName: state.user,
      loginName: user.login.slice(0, 256),
      ...(GIT_LOGIN_NAMES[provider.spec.type] && { gitLoginName: GIT_LOGIN_NAMES[provider.spec.type] }),
      ...(user.name && { displayName: user.name.slice(0, 256) }),
      ...(avatarUrl && { avatarUrl }),
      tokenSecretRef: { name: tokenSecretName(name), key: TOKEN_KEYS.accessToken },
    };
    // A new sign-in lists the repositories again at once.
    const annotations = { [REFRESH_ANNOTATION]: this.now().toISOString() };
    const existing = await credentials.find(state.namespace, name);
    let credential: SourceCodeCredential;
    if (!existing) {
      credential = await credentials.create({
        apiVersion: API_VERSION, kind: 'SourceCodeCredential',
        metadata: { name, namespace: state.namespace, annotations, labels: { 'keelson.dev/provider': provider.metadata.name!.slice(0, 63) } },
        spec,
      } as ObjectOf<typeof Keelson.SourceCodeCredential>);
    } else {
      if (existing.spec.userName !== state.user) {
        throw new SourceCodeError('CredentialConflict', `SourceCodeCredential ${state.namespace}/${name} belongs to another user`, { namespace: state.namespace, name });
      }
      // Fields the provider no longer gives are removed (null in a merge patch).
      const cleared = { gitLoginName: null, displayName: null, avatarUrl: null, htmlUrl: null };
      credential = await credentials.patch(state.namespace, name, { metadata: { annotations }, spec: { ...cleared, ...spec } });
    }
    await writeTokenSecret(this.deps.kube, credential, token);
    return credential;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

export { CREDENTIAL_LABEL };
