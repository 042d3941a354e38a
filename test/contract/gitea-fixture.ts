// The contract fixture for a real Gitea (libs/servers): the people and repositories of the doubles' fixtures,
// seeded through Gitea's API, sign-in through its real login and consent pages, revocation as a user does it in
// Settings → Applications. Gitea has no rate limits and its tokens cannot be made to run out early.
import { scmClientFor, type ScmEndpoint, type ScmToken } from '@keelson/scm';
import { giteaAuthorize, giteaRevokeGrant, startGitea, type Gitea } from '@keelson/servers';
import { LOOPBACK_POLICY } from './double-fixtures';
import type { ScmContractFixture } from './scm-contract';

const REDIRECT_URI = 'http://keelson.example.test/oauth/callback';
const ALICE_PASSWORD = 'alice-password-1';
/** More than one page of 50, the most Gitea serves by default ([api] MAX_RESPONSE_ITEMS). */
const ORG_REPOS = 55;

interface Seeded {
  repo: ScmContractFixture['repo'];
  pushable: string[];
  readOnly: string[];
}

/**
 * alice owns alice/app, may push to every repository of acme through a write team (55 of them), acme/legacy is
 * archived, she only reads bob/docs as a collaborator and cannot see bob/private.
 */
async function seed(gitea: Gitea): Promise<Seeded> {
  const admin = gitea.adminToken;
  const alice = await gitea.createUser('alice', ALICE_PASSWORD);
  const bob = await gitea.createUser('bob', 'bob-password-1');
  await gitea.api(alice.token, 'PATCH', '/user/settings', { full_name: 'Alice Liddell' });

  await gitea.createRepo(alice.token, 'app', { autoInit: true });
  const main = await gitea.api<{ commit: { id: string } }>(admin, 'GET', '/repos/alice/app/branches/main');

  await gitea.api(admin, 'POST', '/orgs', { username: 'acme', visibility: 'public' });
  // A team on every repository of the org, those created later included.
  const team = await gitea.api<{ id: number }>(admin, 'POST', '/orgs/acme/teams', {
    name: 'developers', permission: 'write', includes_all_repositories: true,
    units_map: { 'repo.code': 'write', 'repo.pulls': 'write', 'repo.issues': 'write' },
  });
  await gitea.api(admin, 'PUT', `/teams/${team.id}/members/alice`);
  const pushable = ['alice/app'];
  for (let i = 1; i <= ORG_REPOS; i++) {
    const name = `service-${String(i).padStart(3, '0')}`;
    await gitea.api(admin, 'POST', '/orgs/acme/repos', { name, private: i % 2 === 0, default_branch: 'main' });
    pushable.push(`acme/${name}`);
  }
  await gitea.api(admin, 'POST', '/orgs/acme/repos', { name: 'legacy', default_branch: 'main' });
  await gitea.api(admin, 'PATCH', '/repos/acme/legacy', { archived: true });

  await gitea.createRepo(bob.token, 'docs');
  await gitea.api(bob.token, 'PUT', '/repos/bob/docs/collaborators/alice', { permission: 'read' });
  await gitea.createRepo(bob.token, 'private', { private: true });

  return { repo: { fullName: 'alice/app', branch: 'main', sha: main.commit.id }, pushable, readOnly: ['acme/legacy', 'bob/docs', 'bob/private'] };
}

/**
 * Walks the consent for exactly the authorize URL the client built: its parameters go to giteaAuthorize, and one
 * it would not send is an error rather than dropped.
 */
async function authorizeAs(gitea: Gitea, username: string, password: string, authorizeUrl: string): Promise<{ code: string; state: string | null }> {
  const url = new URL(authorizeUrl);
  if (`${url.origin}${url.pathname}` !== `${gitea.url}/login/oauth/authorize`) throw new Error(`authorize URL ${url.origin}${url.pathname} is not Gitea's`);
  const known = new Set(['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'code_challenge_method']);
  const unknown = [...url.searchParams.keys()].filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`authorize URL carries parameters the fixture cannot pass on: ${unknown.join(', ')}`);
  if (url.searchParams.get('response_type') !== 'code') throw new Error('authorize URL does not ask for response_type=code');
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const granted = await giteaAuthorize(gitea, {
    username, password,
    clientId: param('client_id') ?? '', redirectUri: param('redirect_uri') ?? '', state: param('state') ?? '',
    scope: param('scope'), codeChallenge: param('code_challenge'),
  });
  return { code: granted.code, state: new URL(granted.callbackUrl).searchParams.get('state') };
}

/** The grant an OAuth access token of Gitea was issued under: the `gnt` claim of the JWT. */
function grantIdOf(token: ScmToken): number {
  const payload = token.accessToken.split('.')[1];
  const claims = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { gnt?: unknown }) : {};
  if (typeof claims.gnt !== 'number') throw new Error('the access token is not a Gitea OAuth JWT with a gnt claim');
  return claims.gnt;
}

export async function giteaContractFixture(): Promise<ScmContractFixture> {
  const gitea = await startGitea();
  try {
    const seeded = await seed(gitea);
    // The operator registers Keelson's app; alice only authorizes it.
    const app = await gitea.createOAuthApp(gitea.adminToken, 'keelson', [REDIRECT_URI]);
    const endpoint: ScmEndpoint = { type: 'gitea', url: gitea.url, clientId: app.clientId, clientSecret: app.clientSecret };
    return {
      client: scmClientFor(endpoint, { policy: LOOPBACK_POLICY, timeoutMs: 10_000 }),
      endpoint,
      redirectUri: REDIRECT_URI,
      authorize: (url) => authorizeAs(gitea, 'alice', ALICE_PASSWORD, url),
      user: { login: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
      ...seeded,
      statuses: async (repo, sha) => {
        const combined = await gitea.api<{ statuses: Array<{ context: string; status: string; description?: string }> | null }>(
          gitea.adminToken, 'GET', `/repos/${repo}/commits/${sha}/status`);
        return (combined.statuses ?? []).map((s) => ({ context: s.context, state: s.status, description: s.description }));
      },
      words: { running: 'pending', success: 'success' },
      // Its access token is a JWT of grant id, kind, iat and exp, in whole seconds (services/oauth2_provider).
      tokenClockResolutionMs: 1_000,
      // Revoking the grant ends every token alice holds for the app; the next sign-in asks for consent again.
      revoke: (token) => giteaRevokeGrant(gitea, { username: 'alice', password: ALICE_PASSWORD, grantId: grantIdOf(token) }),
      close: () => gitea.close(),
    };
  } catch (err) {
    await gitea.close();
    throw err;
  }
}
