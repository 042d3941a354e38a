import type { OidcAnswer, OidcHttp } from './oidc-http';
import { OidcIssuer } from './oidc-issuer';

const ISSUER = 'https://issuer.example';
const DISCOVERY = {
  issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/keys`, code_challenge_methods_supported: ['S256'],
};

/** An issuer whose answers the test sets, counting each GET by URL. */
function issuerWith(answers: Record<string, OidcAnswer>, clock = () => 0) {
  const gets: string[] = [];
  const http = {
    getJson: async (url: string) => {
      gets.push(url);
      return answers[url] ?? { status: 404, body: undefined };
    },
  } as unknown as OidcHttp;
  return { issuer: new OidcIssuer(ISSUER, http, clock), gets };
}

const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (err: Error & { code?: string }) => `${err.code}: ${err.message}`);

describe('OidcIssuer', () => {
  it('reads the discovery document once per five minutes', async () => {
    let now = 0;
    const { issuer, gets } = issuerWith({ [`${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: DISCOVERY } }, () => now);
    await issuer.discovery();
    now = 299_000;
    await issuer.discovery();
    expect(gets).toHaveLength(1);
    now = 300_000;
    await issuer.discovery();
    expect(gets).toHaveLength(2);
  });

  it('refuses a document that names another issuer, one without PKCE S256, and http endpoints of an https issuer', async () => {
    const other = issuerWith({ [`${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: { ...DISCOVERY, issuer: 'https://evil.example' } } });
    expect(await refusal(other.issuer.discovery())).toMatch(/^OidcIssuerUnavailable: .*issuer "https:\/\/evil.example" is not OIDC_ISSUER_URL/);
    const plain = issuerWith({ [`${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: { ...DISCOVERY, code_challenge_methods_supported: ['plain'] } } });
    expect(await refusal(plain.issuer.discovery())).toMatch(/does not support PKCE S256/);
    const cleartext = issuerWith({ [`${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: { ...DISCOVERY, token_endpoint: 'http://issuer.example/token' } } });
    expect(await refusal(cleartext.issuer.discovery())).toMatch(/token_endpoint "http:\/\/issuer.example\/token" does not use the issuer's scheme/);
    const missing = issuerWith({});
    expect(await refusal(missing.issuer.discovery())).toMatch(/answered HTTP 404/);
  });

  it('fetches the JWKS again for an unknown key, but not twice within a minute', async () => {
    let now = 0;
    const { issuer, gets } = issuerWith({
      [`${ISSUER}/.well-known/openid-configuration`]: { status: 200, body: DISCOVERY },
      [`${ISSUER}/keys`]: { status: 200, body: { keys: [{ kty: 'RSA', kid: 'a' }] } },
    }, () => now);
    expect(await issuer.keys()).toEqual([{ kty: 'RSA', kid: 'a' }]);
    await issuer.keys(true);
    expect(gets.filter((g) => g.endsWith('/keys'))).toHaveLength(1);
    now = 60_000;
    await issuer.keys(true);
    expect(gets.filter((g) => g.endsWith('/keys'))).toHaveLength(2);
  });
});
