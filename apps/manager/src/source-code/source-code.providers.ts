// Signing in at git providers, assembled from the manager's config: provider access (SCM_ACCESS, scm.providers.ts),
// the state key (OAUTH_STATE_KEY or a generated Secret in the manager's namespace), used states on Redis.
import type { OnApplicationShutdown, Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import { RedisOneTimeKeys, type OneTimeKeys } from '@keelson/queue';
import type { ScmAccess } from '../scm/scm-access';
import { SCM_ACCESS } from '../scm/scm.providers';
import { CONFIG, KUBE, LOGGER, MANAGER_KEY } from '../tokens';
import { OAuthLogin } from './oauth-login.service';
import { OAuthStateKey } from './oauth-state-key';
import { OAUTH_LOGIN, USED_STATES } from './source-code.tokens';

export const sourceCodeProviders: Provider[] = [
  {
    provide: USED_STATES,
    useFactory: (config: ManagerConfig): OneTimeKeys & OnApplicationShutdown => {
      const keys = new RedisOneTimeKeys({ redisUrl: config.redisUrl, prefix: config.redisPrefix });
      return Object.assign(keys, { onApplicationShutdown: () => keys.close() });
    },
    inject: [CONFIG],
  },
  {
    provide: MANAGER_KEY,
    useFactory: (kube: KubeClient, config: ManagerConfig) => new OAuthStateKey(kube, { configured: config.oauthStateKey, managerNamespace: config.managerNamespace }),
    inject: [KUBE, CONFIG],
  },
  {
    provide: OAUTH_LOGIN,
    useFactory: (kube: KubeClient, config: ManagerConfig, access: ScmAccess, usedStates: OneTimeKeys, logger: Logger, stateKey: OAuthStateKey) => new OAuthLogin({
      kube, access, usedStates, publicUrl: config.publicUrl, logger: logger.child({ component: 'oauth' }), stateKey,
    }),
    inject: [KUBE, CONFIG, SCM_ACCESS, USED_STATES, LOGGER, MANAGER_KEY],
  },
];
