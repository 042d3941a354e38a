// The source-code kinds (libs/crds/src/kinds/source-code-*.ts) and the deliveries list as the API answers them.
// A credential's token stays in a Secret: the API never returns it, and the console never asks.
import type { Condition, ObjectMeta } from './types';

export interface SourceCodeProvider {
  metadata: ObjectMeta;
  spec: { type: 'github' | 'gitlab' | 'gitea' | 'bitbucket'; serverUrl?: string; apiUrl?: string; clientId?: string; enabled?: boolean };
  status?: { conditions?: Condition[]; lastCheckTime?: string };
}

export interface SourceCodeCredential {
  metadata: ObjectMeta;
  spec: {
    providerRef: { name: string };
    userName: string;
    loginName: string;
    displayName?: string;
    avatarUrl?: string;
    htmlUrl?: string;
  };
  status?: { conditions?: Condition[]; tokenExpiresAt?: string; lastRefreshTime?: string; repositoryCount?: number };
}

export interface SourceCodeRepository {
  metadata: ObjectMeta;
  spec: {
    credentialRef: { name: string };
    fullName?: string;
    htmlUrl?: string;
    private?: boolean;
    url: string;
    defaultBranch?: string;
    permissions?: { pull?: boolean; push?: boolean; admin?: boolean };
  };
  status?: { conditions?: Condition[]; lastRefreshTime?: string };
}

/** `created` is an accepted delivery: it made (or found) the executions it names. */
export type DeliveryOutcome = 'created' | 'duplicate' | 'ignored' | 'refused';

export interface Delivery {
  id?: string;
  provider?: string;
  event?: string;
  outcome: DeliveryOutcome;
  reason?: string;
  executions?: string[];
  status: number;
  time: string;
}

export interface RefreshRequested {
  namespace: string;
  name: string;
  requested: string;
}
