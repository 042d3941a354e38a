import type { AccessAttributes, AccessDecision, NonResourceAccessAttributes, TokenReviewResult } from '@keelson/kube';

/**
 * Who a token belongs to and what that user may do: asked of the Kubernetes apiserver in production
 * (kube-access-review.client.ts), stubbed in unit tests. Either method throws when it cannot get an answer.
 */
export interface AccessReviewPort {
  reviewToken(token: string): Promise<TokenReviewResult>;
  checkAccess(attrs: AccessAttributes | NonResourceAccessAttributes): Promise<AccessDecision>;
}

export const ACCESS_REVIEW_PORT = Symbol('AccessReviewPort');
