import type { Request } from 'express';

/** The caller of the REST API, as the apiserver authenticated it. */
export interface ApiUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** A request that ApiAuthGuard let through; the guard puts the caller on `user`. */
export interface AuthenticatedRequest extends Request {
  user?: ApiUser;
}
