// The provider controller owns a SourceCodeProvider's Ready condition: a real check of the provider, without a
// user's token (ScmClient.probe): its API answers an anonymous current-user call with 401 as that provider's API
// does, and its token endpoint, offered a made-up code, says whether it takes the OAuth app's id and secret (and,
// on Gitea, the callback URL). A failed check is tried again after a minute, a rate limit when it lifts, a passed
// one every PROVIDER_CHECK_SECONDS, and at once when the spec changes.
import type { Condition, SourceCodeProvider } from '@keelson/crds';
import { Informer, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import { ScmError } from '@keelson/scm';
import { ScmUnavailableError, type ScmAccess } from '../../scm/scm-access';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';
import { sameValue } from '../same-value';

type Provider = ObjectOf<typeof Keelson.SourceCodeProvider>;

export const FAILED_CHECK_RETRY_MS = 60_000;

export interface SourceCodeProviderReconcilerDeps {
  kube: KubeClient;
  providers: Informer<Provider>;
  access: Pick<ScmAccess, 'endpointOf' | 'clientFor'>;
  /** How often a Ready provider is checked again. */
  checkIntervalMs: number;
  /** The sign-in callback (`<PUBLIC_URL>/api/v1/oauth/callback`), which Gitea checks against the app's redirect URIs. */
  callbackUrl?: string;
  logger: Logger;
  now?: () => Date;
}

type Verdict = Pick<Condition, 'status' | 'reason' | 'message'> & { retryAt?: number };

export class SourceCodeProviderReconciler {
  /** Not before this time (epoch ms) per provider uid: a rate limit's end, which the status does not keep. */
  private readonly notBefore = new Map<string, number>();

  constructor(private readonly deps: SourceCodeProviderReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const provider = this.deps.providers.get(key);
    if (!provider || provider.metadata.deletionTimestamp) return ReconcileResult.done();
    const now = this.now().getTime();
    const wait = this.untilDue(provider, now);
    if (wait === Infinity) return ReconcileResult.done();
    if (wait > 0) return ReconcileResult.requeueAfter(wait);

    const verdict = await this.check(provider);
    const uid = provider.metadata.uid!;
    if (verdict.retryAt) this.notBefore.set(uid, verdict.retryAt);
    else this.notBefore.delete(uid);
    const { retryAt: _retryAt, ...condition } = verdict;
    const conditions = setCondition(provider.status?.conditions, {
      type: 'Ready', ...condition, message: condition.message.slice(0, 1024), lastTransitionTime: iso(this.now()), observedGeneration: provider.metadata.generation,
    });
    const status = { observedGeneration: provider.metadata.generation, conditions, lastCheckTime: iso(this.now()) };
    if (!sameValue(status, { observedGeneration: provider.status?.observedGeneration, conditions: provider.status?.conditions, lastCheckTime: provider.status?.lastCheckTime })) {
      await this.deps.kube.resource(Keelson.SourceCodeProvider).patchStatus(provider.metadata.namespace, provider.metadata.name!, status, provider.metadata.resourceVersion);
    }
    if (verdict.status !== 'True') {
      this.deps.logger.info({ namespace: provider.metadata.namespace, name: provider.metadata.name, reason: verdict.reason }, 'git provider check failed');
    }
    return ReconcileResult.requeueAfter(Math.max(1000, verdict.retryAt ? verdict.retryAt - now : verdict.status === 'True' ? this.deps.checkIntervalMs : FAILED_CHECK_RETRY_MS));
  }

  /** 0 when a check is due now; else how long until it is. */
  private untilDue(provider: Provider, now: number): number {
    const ready = provider.status?.conditions?.find((c) => c.type === 'Ready');
    const last = provider.status?.lastCheckTime ? Date.parse(provider.status.lastCheckTime) : NaN;
    if (!ready || ready.observedGeneration !== provider.metadata.generation || Number.isNaN(last)) return 0;
    if (ready.reason === 'Disabled') return provider.spec.enabled === false ? Infinity : 0;
    const limitedUntil = this.notBefore.get(provider.metadata.uid!);
    // A rate limit says when it lifts; a new leader, not knowing, waits the usual minute.
    if (ready.reason === 'RateLimited' && limitedUntil !== undefined) return Math.max(0, limitedUntil - now);
    const every = ready.status === 'True' ? this.deps.checkIntervalMs : FAILED_CHECK_RETRY_MS;
    return Math.max(0, Math.max(last + every, this.notBefore.get(provider.metadata.uid!) ?? 0) - now);
  }

  private async check(provider: SourceCodeProvider): Promise<Verdict> {
    if (provider.spec.enabled === false) return { status: 'False', reason: 'Disabled', message: 'spec.enabled is false: nobody signs in, no pipeline uses it' };
    const hasClient = Boolean(provider.spec.clientId);
    try {
      const endpoint = await this.deps.access.endpointOf(provider);
      if (hasClient && !endpoint.clientSecret) {
        const ref = provider.spec.clientSecretRef;
        return { status: 'False', reason: 'ClientSecretMissing', message: ref ? `Secret ${ref.name} has no key ${ref.key ?? 'clientSecret'} (spec.clientSecretRef) holding the OAuth client secret` : 'spec.clientSecretRef is not set: the OAuth client secret is needed to sign users in' };
      }
      const result = await this.deps.access.clientFor(endpoint).probe(this.deps.callbackUrl);
      if (!hasClient) return { status: 'False', reason: 'NoOAuthApp', message: 'the API answers, but spec.clientId is not set: register an OAuth app at the provider so that users can sign in' };
      if (result.oauthApp === 'accepted') return { status: 'True', reason: 'Verified', message: `the API answers and the token endpoint accepts OAuth app ${provider.spec.clientId}` };
      if (result.oauthApp === 'refused') return { status: 'False', reason: 'OAuthAppRefused', message: `the API answers, but the token endpoint refuses OAuth app ${provider.spec.clientId}: ${result.detail ?? ''}` };
      return { status: 'True', reason: 'ApiAnswers', message: `the API answers; whether OAuth app ${provider.spec.clientId} is accepted cannot be told: ${result.detail ?? ''}` };
    } catch (err) {
      if (err instanceof ScmUnavailableError) return { status: 'False', reason: 'Misconfigured', message: err.message };
      if (!(err instanceof ScmError)) throw err;
      switch (err.code) {
        case 'RateLimited': {
          const retryAt = err.retryAt ? Date.parse(err.retryAt) : NaN;
          // The ScmError's message says until when (`…: HTTP 403, rate limited until <time>`).
          return { status: 'False', reason: 'RateLimited', message: err.message, retryAt: Number.isNaN(retryAt) ? undefined : retryAt };
        }
        case 'Unavailable':
        case 'Timeout':
          return { status: 'False', reason: 'Unreachable', message: err.message };
        case 'OutboundRefused':
          return { status: 'False', reason: 'OutboundRefused', message: `${err.message} (the operator's OUTBOUND_ALLOW_HTTP and OUTBOUND_ALLOW_CIDRS decide)` };
        case 'InvalidEndpoint':
          return { status: 'False', reason: 'InvalidEndpoint', message: err.message };
        default:
          return { status: 'False', reason: 'UnexpectedAnswer', message: err.message };
      }
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
