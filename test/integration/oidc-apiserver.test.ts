// End to end: the console's OIDC sign-in against the provider double served over https, and a kube-apiserver whose
// structured AuthenticationConfiguration trusts that issuer and client. The ID token the manager hands the console
// is then accepted by the API as a bearer token (TokenReview → the JWT authenticator), and authorised by RBAC bound
// to the mapped user `oidc:<email>` (SubjectAccessReview), exactly as any other token.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Core, KubeClient } from '@keelson/kube';
import { silentLogger } from '@keelson/observability';
import { ControlPlane, freePort, generateServingCerts, RedisServer, waitFor, type ServingCerts } from '@keelson/servers';
import { startManager, type Manager } from '../../apps/manager/src/manager';
import { startOidcProviderDouble, type OidcProviderDouble } from '../support/oidc-provider-double';

const CLIENT = { id: 'keelson-console', secret: 'e2e-client-secret' };
let certDir: string;
let certs: ServingCerts;
let issuer: OidcProviderDouble;
let cp: ControlPlane;
let redis: RedisServer;
let manager: Manager;

function authenticationConfig(issuerUrl: string, audience: string, caPem: string): string {
  const ca = caPem.trim().split('\n').map((line) => `      ${line}`).join('\n');
  return `apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: ${issuerUrl}
    audiences: [${audience}]
    certificateAuthority: |
${ca}
  claimMappings:
    username: {claim: email, prefix: "oidc:"}
    groups: {claim: groups, prefix: "oidc:"}
`;
}

/** A GET of the browser at the https issuer, which the test's CA signed. */
function browserGet(url: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: certs.caPem }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    }).on('error', reject);
  });
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'keelson-oidc-tls-'));
  certs = generateServingCerts(certDir);
  issuer = await startOidcProviderDouble({ tls: { key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) } });
  const port = await freePort();
  issuer.state.clients.set(CLIENT.id, { ...CLIENT, redirectUris: [`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`] });
  [cp, redis] = await Promise.all([ControlPlane.start({ authenticationConfig: authenticationConfig(issuer.issuer, CLIENT.id, certs.caPem) }), RedisServer.start()]);
  const admin = new KubeClient({ kubeconfigPath: cp.adminKubeconfig });
  for (const name of ['demo', 'other']) await admin.resource(Core.Namespace).create({ metadata: { name } });
  await admin.resource(Core.Role).create({
    metadata: { namespace: 'demo', name: 'pipeline-reader' },
    rules: [{ apiGroups: ['devops.keelson.dev'], resources: ['pipelines'], verbs: ['list', 'get'] }],
  });
  await admin.resource(Core.RoleBinding).create({
    metadata: { namespace: 'demo', name: 'alice-oidc' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pipeline-reader' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'oidc:alice@example.test' }],
  });
  manager = await startManager({
    KUBECONFIG: cp.managerKubeconfig, HOST: '127.0.0.1', PORT: String(port), ROLES: 'api', REDIS_URL: redis.url, REDIS_PREFIX: `keelson-oidc-e2e-${process.pid}`,
    PUBLIC_URL: `http://127.0.0.1:${port}`, OAUTH_STATE_KEY: 'oidc-e2e-state-key-0123456789abcdef01234', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
    OIDC_ISSUER_URL: issuer.issuer, OIDC_CLIENT_ID: CLIENT.id, OIDC_CLIENT_SECRET: CLIENT.secret, OIDC_CA_CERT: certs.caPem,
  }, silentLogger);
}, 180_000);

afterAll(async () => {
  await manager?.close();
  await redis?.stop();
  await cp?.stop();
  await issuer?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

it('signs in through the https issuer, and the API accepts the ID token and authorises its mapped user by RBAC', async () => {
  expect(issuer.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const login = await fetch(`${manager.url}/api/v1/auth/oidc/login?next=%2Fp%2Fdemo%2Fpipelines`, { redirect: 'manual' });
  expect(login.status).toBe(302);
  const cookie = /^(keelson_oidc=[^;]*)/.exec(login.headers.get('set-cookie') ?? '')![1];
  const atIssuer = await browserGet(login.headers.get('location')!);
  expect(atIssuer.status).toBe(302);
  const done = await fetch(atIssuer.location!, { redirect: 'manual', headers: { cookie } });
  const fragment = new URLSearchParams(done.headers.get('location')!.replace(/^\/login#/, ''));
  const idToken = fragment.get('id_token');
  expect({ error: fragment.get('error_description'), next: fragment.get('next') }).toEqual({ error: null, next: '/p/demo/pipelines' });

  // The apiserver reads the issuer's discovery and JWKS in the background after it starts: wait until it does.
  const call = (path: string) => fetch(`${manager.url}${path}`, { headers: { authorization: `Bearer ${idToken}`, accept: 'application/json' } });
  let last = 0;
  await waitFor('the apiserver accepts the ID token', async () => (last = (await call('/api/v1/namespaces/demo/pipelines')).status) === 200, {
    timeoutMs: 60_000, intervalMs: 500, onTimeout: () => `last status ${last}`,
  });
  const other = await call('/api/v1/namespaces/other/pipelines');
  expect(other.status).toBe(403);
  expect(await other.json()).toMatchObject({ code: 'Forbidden', user: 'oidc:alice@example.test' });
  // A token of another audience is no bearer token for this cluster.
  const foreign = issuer.mintIdToken({ aud: 'another-client', nonce: 'x' });
  const refused = await fetch(`${manager.url}/api/v1/namespaces/demo/pipelines`, { headers: { authorization: `Bearer ${foreign}`, accept: 'application/json' } });
  expect(refused.status).toBe(401);
}, 120_000);
