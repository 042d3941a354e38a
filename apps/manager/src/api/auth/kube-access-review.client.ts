import { AccessAttributes, AccessDecision, checkAccess, KubeClient, NonResourceAccessAttributes, reviewToken, TokenReviewResult } from '@keelson/kube';
import { AccessReviewPort } from './access-review.port';

/** TokenReview and SubjectAccessReview on the management cluster, with the manager's own credentials. */
export class KubeAccessReviewClient implements AccessReviewPort {
  constructor(private readonly kube: KubeClient) {}

  reviewToken(token: string): Promise<TokenReviewResult> {
    return reviewToken(this.kube, token);
  }

  checkAccess(attrs: AccessAttributes | NonResourceAccessAttributes): Promise<AccessDecision> {
    return checkAccess(this.kube, attrs);
  }
}
