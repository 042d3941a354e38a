import type { KubeClient } from './kube-client';

/**
 * Delegated authentication and authorisation: the apiserver decides who a bearer token belongs to
 * (TokenReview) and what that user may do (SubjectAccessReview), so the REST API obeys exactly the RBAC that
 * kubectl obeys. The caller's own credentials need `create` on both reviews (ClusterRole system:auth-delegator).
 * An apiserver that cannot be asked throws a KubeError; the caller must then refuse (fail closed).
 */

/** A user as the apiserver's authenticators see it. */
export interface ReviewedUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TokenReviewResult {
  authenticated: boolean;
  user?: ReviewedUser;
  /** Why the token was not accepted, as the apiserver put it. */
  error?: string;
}

/** The request to authorise, in the terms of RBAC rules. */
export interface AccessAttributes {
  user: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  verb: string;
  /** API group of the resource; '' for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** Undefined asks about every namespace (a cluster-wide list, for instance). */
  namespace?: string;
  name?: string;
}

/** A request to a URL that is no resource (RBAC `nonResourceURLs`), e.g. the manager's own debug endpoints. */
export interface NonResourceAccessAttributes {
  user: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  /** Lower-case HTTP verb, as RBAC names it for non-resource URLs: get, post, ... */
  verb: string;
  nonResourcePath: string;
}

export interface AccessDecision {
  allowed: boolean;
  reason?: string;
}

/** Only the part of KubeClient the reviews use, so any client with an authenticated POST will do. */
type Poster = Pick<KubeClient, 'post'>;

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** Asks the apiserver who owns `token`. */
export async function reviewToken(kube: Poster, token: string): Promise<TokenReviewResult> {
  const review = await kube.post<{ status?: TokenReviewStatus }>('/apis/authentication.k8s.io/v1/tokenreviews', {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
  });
  const status = review?.status ?? {};
  // An authenticated answer without a user name is not one we can authorise.
  if (!status.authenticated || !status.user?.username) {
    return { authenticated: false, error: status.error || undefined };
  }
  const { username, uid, groups, extra } = status.user;
  return { authenticated: true, user: { username, uid: uid || undefined, groups: groups ?? [], extra } };
}

/** Asks the apiserver whether a user may perform one action on one resource. */
export async function checkAccess(kube: Poster, attrs: AccessAttributes | NonResourceAccessAttributes): Promise<AccessDecision> {
  const review = await kube.post<{ status?: SubjectAccessReviewStatus }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: attrs.user,
      groups: attrs.groups,
      uid: attrs.uid,
      extra: attrs.extra,
      ...('nonResourcePath' in attrs
        ? { nonResourceAttributes: { verb: attrs.verb, path: attrs.nonResourcePath } }
        : {
          resourceAttributes: {
            verb: attrs.verb, group: attrs.group, resource: attrs.resource, subresource: attrs.subresource,
            namespace: attrs.namespace, name: attrs.name,
          },
        }),
    },
  });
  const status = review?.status ?? {};
  // `allowed` is the decision; an evaluation error with allowed=false is still a refusal.
  const reason = status.reason || status.evaluationError || undefined;
  return { allowed: status.allowed === true && status.denied !== true, reason };
}
