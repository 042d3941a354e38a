// The console's OIDC sign-in, assembled from the manager's config: the issuer (reached under the outbound
// policy), the manager's signing key (MANAGER_KEY, shared with git provider sign-ins) and used states on Redis.
import type { Provider } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { Logger } from '@keelson/observability';
import type { OneTimeKeys } from '@keelson/queue';
import { USED_STATES } from '../source-code/source-code.tokens';
import { CONFIG, LOGGER, MANAGER_KEY } from '../tokens';
import { OidcHttp } from './oidc-http';
import { OidcIssuer } from './oidc-issuer';
import { OidcSignIn, type OidcSettings } from './oidc-sign-in.service';
import { OIDC_SIGN_IN } from './oidc.tokens';

/** The settings when OIDC is configured (the config loader has checked the pair and PUBLIC_URL go together). */
export function oidcSettingsOf(config: ManagerConfig): OidcSettings | undefined {
  if (!config.oidcIssuerUrl || !config.oidcClientId || !config.publicUrl) return undefined;
  return {
    issuer: config.oidcIssuerUrl, clientId: config.oidcClientId, clientSecret: config.oidcClientSecret, scopes: config.oidcScopes, publicUrl: config.publicUrl,
  };
}

export const oidcProviders: Provider[] = [
  {
    provide: OIDC_SIGN_IN,
    useFactory: (config: ManagerConfig, usedStates: OneTimeKeys, logger: Logger, managerKey: { key(): Promise<Buffer> }) => {
      const settings = oidcSettingsOf(config);
      const http = new OidcHttp({ policy: { allowHttp: config.outboundAllowHttp, allowCidrs: config.outboundAllowCidrs }, extraCa: config.oidcCaCert });
      return new OidcSignIn({
        settings, issuer: settings && new OidcIssuer(settings.issuer, http), managerKey, usedStates, logger: logger.child({ component: 'oidc' }),
      });
    },
    inject: [CONFIG, USED_STATES, LOGGER, MANAGER_KEY],
  },
];
