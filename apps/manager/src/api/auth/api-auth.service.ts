import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { AccessDecision, Clock, realClock, TokenReviewResult } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { CONFIG, LOGGER } from '../../tokens';
import { ACCESS_REVIEW_PORT, AccessReviewPort } from './access-review.port';
import { ApiAuthError } from './api-auth.errors';
import { ApiUser } from './api-user';
import { TtlCache } from './ttl-cache';

/** The action one request performs, fully resolved from the route's requirement and parameters. */
export type AccessTarget = ResourceAccessTarget | NonResourceAccessTarget;

export interface NonResourceAccessTarget {
  verb: string;
  nonResourcePath: string;
}

export interface ResourceAccessTarget {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface ApiAuthOptions {
  clock?: Clock;
  /** How long a review's answer is reused; a RoleBinding change takes at most this long to apply. */
  cacheTtlMs?: number;
  /** Bound of each of the two caches (token reviews, access reviews). */
  cacheMaxEntries?: number;
}

export const API_AUTH_OPTIONS = Symbol('ApiAuthOptions');

const DEFAULT_TTL_MS = 10_000;
const DEFAULT_MAX_ENTRIES = 4096;

/** With API_AUTH=disabled, every caller is this user. */
export const DEV_USER: ApiUser = Object.freeze({ username: 'dev', groups: ['system:authenticated'] }) as ApiUser;

// RFC 6750 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Authenticates a bearer token with a TokenReview and authorises the action with a SubjectAccessReview. Answers
 * are cached briefly under a SHA-256 of the token (never the token itself); an apiserver that cannot answer
 * means refusal, never a pass.
 */
@Injectable()
export class ApiAuthService implements OnModuleInit {
  private readonly logger: Logger;
  private readonly tokenReviews: TtlCache<TokenReviewResult>;
  private readonly accessReviews: TtlCache<AccessDecision>;

  constructor(
    @Inject(ACCESS_REVIEW_PORT) private readonly reviews: AccessReviewPort,
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(LOGGER) logger: Logger,
    @Optional() @Inject(API_AUTH_OPTIONS) options: ApiAuthOptions = {},
  ) {
    this.logger = logger.child({ component: 'api-auth' });
    const cache = { ttlMs: options.cacheTtlMs ?? DEFAULT_TTL_MS, maxEntries: options.cacheMaxEntries ?? DEFAULT_MAX_ENTRIES, clock: options.clock ?? realClock };
    this.tokenReviews = new TtlCache(cache);
    this.accessReviews = new TtlCache(cache);
  }

  get disabled(): boolean {
    return this.config.apiAuth === 'disabled';
  }

  onModuleInit(): void {
    if (this.disabled) {
      this.logger.warn({ apiAuth: 'disabled', user: DEV_USER.username },
        'REST API AUTHENTICATION AND AUTHORISATION ARE DISABLED: every caller acts as user dev; never run like this outside development');
    }
  }

  /** The caller of a request if it may perform `target`; otherwise an ApiAuthError saying why not. */
  async authorize(authorization: string | undefined, target: AccessTarget): Promise<ApiUser> {
    if (this.disabled) return DEV_USER;
    const { user, tokenKey } = await this.identify(authorization);
    const accessKey = `${tokenKey} ${JSON.stringify('nonResourcePath' in target
      ? [target.verb, target.nonResourcePath]
      : [target.verb, target.group, target.resource, target.subresource ?? '', target.namespace ?? null, target.name ?? null])}`;
    const decision = await this.ask('SubjectAccessReview', () => this.accessReviews.getOrLoad(accessKey, () => this.reviews.checkAccess({
      user: user.username, groups: user.groups, uid: user.uid, extra: user.extra, ...target,
    })));
    if (!decision.allowed) {
      this.logger.info({ username: user.username, ...target, reason: decision.reason }, 'api access denied');
      throw new ApiAuthError('Forbidden', forbiddenMessage(user.username, target), {
        details: { user: user.username, ...target },
      });
    }
    return user;
  }

  /**
   * The caller of a request, without deciding what it may do: for routes that authorise each namespace or kind
   * they answer about themselves (a list across namespaces, the event stream of a page).
   */
  async authenticate(authorization: string | undefined): Promise<ApiUser> {
    if (this.disabled) return DEV_USER;
    return (await this.identify(authorization)).user;
  }

  private async identify(authorization: string | undefined): Promise<{ user: ApiUser; tokenKey: string }> {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token) throw new ApiAuthError('MissingCredentials', 'a bearer token is required');
    const tokenKey = createHash('sha256').update(token).digest('hex');

    const review = await this.ask('TokenReview', () => this.tokenReviews.getOrLoad(tokenKey, () => this.reviews.reviewToken(token)));
    if (!review.authenticated || !review.user) {
      this.logger.info({ reason: review.error }, 'api token rejected');
      throw new ApiAuthError('InvalidToken', 'the bearer token is not valid');
    }
    return { user: { ...review.user, groups: review.user.groups ?? [] }, tokenKey };
  }

  /** A route guarded without a requirement is refused; the log names it so the developer finds it. */
  noRequirement(route: string): ApiAuthError {
    this.logger.error({ route }, 'guarded api route declares no access requirement');
    return new ApiAuthError('NoAccessRequirement', 'this route declares no access requirement');
  }

  private async ask<T>(review: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const e = err as { message?: string; code?: string; status?: number };
      this.logger.error({ review, error: e.message, code: e.code, status: e.status }, 'cannot review api access');
      throw new ApiAuthError('ReviewUnavailable', 'the Kubernetes API cannot verify this request now', { cause: err });
    }
  }
}

function forbiddenMessage(username: string, t: AccessTarget): string {
  if ('nonResourcePath' in t) return `user "${username}" may not ${t.verb} the non-resource URL ${t.nonResourcePath}`;
  const resource = `${t.resource}${t.subresource ? `/${t.subresource}` : ''}`;
  const what = t.name ? `${resource} "${t.name}"` : resource;
  const where = t.namespace ? `in namespace "${t.namespace}"` : 'in any namespace';
  return `user "${username}" may not ${t.verb} ${what} ${where}`;
}
