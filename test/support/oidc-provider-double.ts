// An OpenID Connect provider double, after OpenID Connect Core 1.0 (authorization code flow, §3.1), Discovery 1.0
// (§4) and RFC 7636 (PKCE): a real RS256 key from node:crypto, published as a JWKS; ID tokens signed with it.
// What it enforces, as a provider does:
// - /authorize: a registered client and its exact redirect_uri (else 400 here, never a redirect: §3.1.2.6),
//   response_type=code, scope with openid, PKCE with S256 (required), then it "signs in" `state.user` at once
//   (no login page) and redirects with code and state; `state.deny` answers error=access_denied instead;
// - /token: client authentication (client_secret_basic or client_secret_post, or none for a public client),
//   grant_type=authorization_code, a code used once and within a minute, the same redirect_uri, and the
//   code_verifier whose S256 is the challenge; errors as RFC 6749 §5.2 JSON (400 invalid_grant, 401 invalid_client);
// - the ID token: iss, sub, aud (client id), exp, iat, auth_time, nonce (echoed from the request), email, groups.
// `state.tamper` makes the next ID tokens wrong in one way (other key, audience, nonce, expired), to prove the
// relying party refuses them. Every request is recorded without secrets' values.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface OidcClient {
  id: string;
  /** Undefined: a public client (PKCE alone). */
  secret?: string;
  redirectUris: string[];
}

export interface OidcUser {
  sub: string;
  email: string;
  groups: string[];
}

export type Tamper = 'none' | 'other-key' | 'wrong-audience' | 'wrong-nonce' | 'expired';

export interface OidcDoubleState {
  clients: Map<string, OidcClient>;
  user: OidcUser;
  deny: boolean;
  tamper: Tamper;
  idTokenTtlSeconds: number;
  /** Method, path and, for the token endpoint, how the client authenticated. */
  requests: Array<{ method: string; path: string; status: number; clientAuth?: string }>;
}

export interface OidcProviderDouble {
  /** The issuer: the base URL, `iss` of every ID token. */
  issuer: string;
  state: OidcDoubleState;
  /** The public signing key (for a relying party configured with it directly, e.g. a kube-apiserver). */
  publicJwk: Record<string, unknown>;
  /** An ID token for `claims` over the defaults, signed with the provider's key. */
  mintIdToken(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  expiresAt: number;
  used: boolean;
}

const KID = 'double-rs256-1';

export async function startOidcProviderDouble(options: { tls?: { key: string | Buffer; cert: string | Buffer }; host?: string } = {}): Promise<OidcProviderDouble> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicJwk = { ...(keys.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: KID, use: 'sig', alg: 'RS256' };
  const state: OidcDoubleState = {
    clients: new Map(), user: { sub: 'alice-sub', email: 'alice@example.test', groups: ['developers'] }, deny: false, tamper: 'none', idTokenTtlSeconds: 300, requests: [],
  };
  const codes = new Map<string, PendingCode>();
  let issuer = '';

  const mint = (claims: Record<string, unknown>, key: KeyObject = keys.privateKey): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64json({ alg: 'RS256', typ: 'JWT', kid: KID });
    const payload = b64json({ iss: issuer, sub: state.user.sub, email: state.user.email, email_verified: true, groups: state.user.groups, iat: now, auth_time: now, exp: now + state.idTokenTtlSeconds, ...claims });
    return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}, clientAuth?: string) => {
      state.requests.push({ method: req.method ?? '', path: url.pathname, status, ...(clientAuth && { clientAuth }) });
      res.writeHead(status, { 'cache-control': 'no-store', ...(typeof body === 'string' ? { 'content-type': 'text/plain' } : { 'content-type': 'application/json' }), ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const redirect = (to: URL) => answer(302, '', { location: to.toString() });

    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return answer(200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/keys`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'email', 'groups', 'profile'], code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'], grant_types_supported: ['authorization_code'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/keys') return answer(200, { keys: [publicJwk] });

    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const client = state.clients.get(q.get('client_id') ?? '');
      const redirectUri = q.get('redirect_uri') ?? '';
      // §3.1.2.6: an unknown client or redirect URI is never redirected to.
      if (!client) return answer(400, 'unknown client_id');
      if (!client.redirectUris.includes(redirectUri)) return answer(400, 'redirect_uri is not registered for this client');
      const back = new URL(redirectUri);
      if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
      const fail = (error: string, description: string) => {
        back.searchParams.set('error', error);
        back.searchParams.set('error_description', description);
        return redirect(back);
      };
      if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'only code');
      if (!(q.get('scope') ?? '').split(' ').includes('openid')) return fail('invalid_scope', 'openid is required');
      if (!q.get('code_challenge') || q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'PKCE with S256 is required');
      if (state.deny) return fail('access_denied', 'the user refused');
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId: client.id, redirectUri, challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? undefined, expiresAt: Date.now() + 60_000, used: false,
      });
      back.searchParams.set('code', code);
      return redirect(back);
    }

    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(await readBody(req));
      // Client authentication, RFC 6749 §2.3.1.
      let clientId = form.get('client_id') ?? undefined;
      let secret = form.get('client_secret') ?? undefined;
      let clientAuth = secret !== undefined ? 'client_secret_post' : 'none';
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const [id, pw] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        clientId = decodeURIComponent(id);
        secret = decodeURIComponent(pw ?? '');
        clientAuth = 'client_secret_basic';
      }
      const client = state.clients.get(clientId ?? '');
      const authenticated = client && (client.secret === undefined ? clientAuth === 'none' : secret === client.secret);
      if (!authenticated) return answer(401, { error: 'invalid_client', error_description: 'client authentication failed' }, { 'www-authenticate': 'Basic realm="token"' }, clientAuth);
      if (form.get('grant_type') !== 'authorization_code') return answer(400, { error: 'unsupported_grant_type' }, {}, clientAuth);
      const pending = codes.get(form.get('code') ?? '');
      const grantError = (description: string) => answer(400, { error: 'invalid_grant', error_description: description }, {}, clientAuth);
      if (!pending || pending.clientId !== client.id) return grantError('unknown code');
      if (pending.used) return grantError('code already used');
      pending.used = true;
      if (pending.expiresAt < Date.now()) return grantError('code expired');
      if (form.get('redirect_uri') !== pending.redirectUri) return grantError('redirect_uri differs from the authorization request');
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash('sha256').update(verifier, 'ascii').digest('base64url') !== pending.challenge) {
        return grantError('PKCE verification failed');
      }
      const now = Math.floor(Date.now() / 1000);
      const tampered: Record<Tamper, Record<string, unknown>> = {
        none: {}, 'other-key': {}, 'wrong-audience': { aud: 'someone-else' }, 'wrong-nonce': { nonce: 'not-the-nonce' }, expired: { exp: now - 3600, iat: now - 7200 },
      };
      const idToken = mint({ aud: client.id, ...(pending.nonce && { nonce: pending.nonce }), ...tampered[state.tamper] }, state.tamper === 'other-key' ? otherKey : keys.privateKey);
      return answer(200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: state.idTokenTtlSeconds, id_token: idToken }, {}, clientAuth);
    }
    return answer(404, { error: 'not_found' });
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((err: Error) => {
      res.writeHead(500);
      res.end(err.message);
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  issuer = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    issuer, state, publicJwk, mintIdToken: (claims) => mint(claims),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
