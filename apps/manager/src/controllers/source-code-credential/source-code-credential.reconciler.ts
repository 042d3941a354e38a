// The credential controller owns a SourceCodeCredential's Ready condition and status: it keeps the token fresh
// (ScmAccess.session refreshes it before it expires and stores the new pair), lists the user's repositories into
// SourceCodeRepository objects it owns (created, updated and deleted to match), every REPOSITORY_REFRESH_SECONDS
// and whenever the keelson.dev/refresh-repositories annotation carries a value it has not answered yet. A token
// the provider refuses (401, a refused refresh) makes Ready False with the provider's words: the user signs in again.
import type { Condition, SourceCodeCredential } from '@keelson/crds';
import { Informer, isNotFound, Keelson, KubeClient, ReconcileResult, type ObjectOf } from '@keelson/kube';
import type { Logger } from '@keelson/observability';
import { ScmError, type ScmRepository } from '@keelson/scm';
import { ScmUnavailableError, type ScmAccess, type ScmSession } from '../../scm/scm-access';
import { pendingRefreshRequest } from '../../source-code/refresh-request';
import { CREDENTIAL_LABEL } from '../../source-code/token-secret';
import { setCondition } from '../pipeline-execution/pipeline-execution.reconciler';
import { sameValue } from '../same-value';
import { desiredRepositories, type DesiredRepository } from './source-code-credential.desired';

type Credential = ObjectOf<typeof Keelson.SourceCodeCredential>;
type Repository = ObjectOf<typeof Keelson.SourceCodeRepository>;

export const FAILED_LISTING_RETRY_MS = 60_000;
/** A token is refreshed this long before it expires (ScmClient.needsRefresh's default margin). */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface SourceCodeCredentialReconcilerDeps {
  kube: KubeClient;
  credentials: Informer<Credential>;
  access: Pick<ScmAccess, 'session'>;
  /** How often the repositories are listed again. */
  refreshIntervalMs: number;
  logger: Logger;
  now?: () => Date;
}

type Verdict = Pick<Condition, 'status' | 'reason' | 'message'>;
type Status = NonNullable<SourceCodeCredential['status']>;

export class SourceCodeCredentialReconciler {
  constructor(private readonly deps: SourceCodeCredentialReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deps.credentials.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return ReconcileResult.done();
    // Fresh from the apiserver: the handled refresh request must not be answered twice from a stale copy.
    const credential = await this.deps.kube.resource(Keelson.SourceCodeCredential).find(cached.metadata.namespace, cached.metadata.name!);
    if (!credential || credential.metadata.deletionTimestamp) return ReconcileResult.done();
    const log = this.deps.logger.child({ namespace: credential.metadata.namespace, credential: credential.metadata.name });
    const previous = credential.status ?? {};
    const next: Status = { ...previous, observedGeneration: credential.metadata.generation };

    let session: ScmSession;
    try {
      session = await this.deps.access.session(credential.metadata.namespace!, credential.metadata.name!);
    } catch (err) {
      const failure = this.failure(err, 'the token could not be made ready');
      return this.finish(credential, next, failure.verdict, failure.retryAfterMs);
    }
    if (session.token.expiresAt) next.tokenExpiresAt = iso(new Date(session.token.expiresAt));
    else delete next.tokenExpiresAt;

    const pending = pendingRefreshRequest(credential);
    const due = pending !== undefined || this.listingAge(previous) >= this.deps.refreshIntervalMs;
    if (due) {
      let listing: ScmRepository[];
      try {
        listing = await session.client.repositories(session.token);
      } catch (err) {
        const failure = this.failure(err, 'the repositories could not be listed');
        return this.finish(credential, next, failure.verdict, failure.retryAfterMs);
      }
      const { desired, skipped } = desiredRepositories(credential, listing);
      if (skipped.length) log.warn({ skipped: skipped.slice(0, 20) }, 'repositories left out: their clone URL is not a git URL');
      await this.syncRepositories(credential, desired);
      next.lastRefreshTime = iso(this.now());
      next.repositoryCount = desired.length;
      if (pending !== undefined) next.handledRefreshRequest = pending;
    }
    const verdict: Verdict = {
      status: 'True', reason: 'TokenValid',
      message: `signed in to ${session.provider.metadata.name} as ${credential.spec.loginName}; ${next.repositoryCount ?? 0} repositories listed`,
    };
    return this.finish(credential, next, verdict, this.untilNextWork(next, session));
  }

  /** Creates, updates and deletes the credential's repositories to match the listing. */
  private async syncRepositories(credential: SourceCodeCredential, desired: DesiredRepository[]): Promise<void> {
    const client = this.deps.kube.resource(Keelson.SourceCodeRepository);
    const namespace = credential.metadata.namespace!;
    const existing = (await client.list(namespace, { labelSelector: `${CREDENTIAL_LABEL}=${credential.metadata.name}` })).items
      .filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === credential.metadata.uid));
    const byName = new Map(existing.map((r) => [r.metadata.name!, r]));
    const now = iso(this.now());
    for (const want of desired) {
      const have = byName.get(want.metadata.name!);
      byName.delete(want.metadata.name!);
      let written: Repository | undefined;
      if (!have) {
        written = await client.create(want as Repository);
      } else if (!sameValue(want.spec, have.spec) || !sameValue(want.metadata.labels, pick(have.metadata.labels, Object.keys(want.metadata.labels ?? {})))) {
        // Spec fields the provider no longer gives go (null in a merge patch).
        const cleared = Object.fromEntries(Object.keys(have.spec).filter((k) => !(k in want.spec)).map((k) => [k, null]));
        written = await client.patch(namespace, have.metadata.name!, { metadata: { labels: want.metadata.labels }, spec: { ...cleared, ...want.spec } });
      }
      if (written) await client.patchStatus(namespace, written.metadata.name!, { lastRefreshTime: now, observedGeneration: written.metadata.generation });
    }
    for (const gone of byName.values()) {
      try {
        await client.delete(namespace, gone.metadata.name!, { uid: gone.metadata.uid });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** The condition for an error, and when to try again; an error that is none of the provider's is thrown. */
  private failure(err: unknown, what: string): { verdict: Verdict; retryAfterMs?: number } {
    if (err instanceof ScmUnavailableError) return { verdict: { status: 'False', reason: 'ProviderUnavailable', message: `${what}: ${err.message}` }, retryAfterMs: FAILED_LISTING_RETRY_MS };
    if (!(err instanceof ScmError)) throw err;
    switch (err.code) {
      case 'Unauthorized':
        // Revoked, expired without a refresh token, or a refused refresh: nothing works until the user signs in again.
        return { verdict: { status: 'False', reason: 'TokenRevoked', message: `the provider refuses the token; sign in again: ${err.message}` } };
      case 'RateLimited': {
        const at = err.retryAt ? Date.parse(err.retryAt) : NaN;
        return {
          verdict: { status: 'False', reason: 'RateLimited', message: `${what}: ${err.message}` },
          retryAfterMs: Number.isNaN(at) ? FAILED_LISTING_RETRY_MS : Math.max(1000, at - this.now().getTime()),
        };
      }
      case 'Unavailable':
      case 'Timeout':
        return { verdict: { status: 'False', reason: 'ProviderUnreachable', message: `${what}: ${err.message}` }, retryAfterMs: FAILED_LISTING_RETRY_MS };
      default:
        return { verdict: { status: 'False', reason: 'ProviderError', message: `${what}: ${err.message}` }, retryAfterMs: FAILED_LISTING_RETRY_MS };
    }
  }

  private async finish(credential: SourceCodeCredential, next: Status, verdict: Verdict, retryAfterMs?: number): Promise<ReconcileResult> {
    next.conditions = setCondition(credential.status?.conditions, {
      type: 'Ready', ...verdict, message: verdict.message.slice(0, 1024), lastTransitionTime: iso(this.now()), observedGeneration: credential.metadata.generation,
    });
    if (!sameValue(next, credential.status ?? {})) {
      // The whole status, keys we dropped as null: a merge patch would keep them.
      const removed = Object.fromEntries(Object.keys(credential.status ?? {}).filter((k) => !(k in next)).map((k) => [k, null]));
      await this.deps.kube.resource(Keelson.SourceCodeCredential).patchStatus(credential.metadata.namespace, credential.metadata.name!, { ...removed, ...next }, credential.metadata.resourceVersion);
    }
    return retryAfterMs === undefined ? ReconcileResult.done() : ReconcileResult.requeueAfter(retryAfterMs);
  }

  private listingAge(status: Status): number {
    const last = status.lastRefreshTime ? Date.parse(status.lastRefreshTime) : NaN;
    return Number.isNaN(last) ? Infinity : this.now().getTime() - last;
  }

  /** The next listing, or the token's refresh before it expires, whichever comes first. */
  private untilNextWork(status: Status, session: ScmSession): number {
    const now = this.now().getTime();
    const listing = Date.parse(status.lastRefreshTime ?? '') + this.deps.refreshIntervalMs - now;
    // Not sooner than 30 s: session() refreshes whenever it is due, and a token shorter-lived than the margin would loop.
    const expires = session.token.refreshToken && session.token.expiresAt ? Math.max(30_000, Date.parse(session.token.expiresAt) - REFRESH_MARGIN_MS - now) : Infinity;
    const wait = Math.min(Number.isNaN(listing) ? this.deps.refreshIntervalMs : listing, Number.isNaN(expires) ? Infinity : expires);
    return Math.max(1000, wait);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function pick(labels: Record<string, string> | undefined, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => labels?.[k] !== undefined).map((k) => [k, labels![k]]));
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
