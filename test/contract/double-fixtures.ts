// Contract fixtures for the protocol doubles: the same people and repositories seeded into each, in that
// provider's terms, and a client of libs/scm pointed at it.
import { scmClientFor, type ScmEndpoint, type ScmProviderType } from '@keelson/scm';
import type { OutboundPolicy } from '@keelson/outbound';
import { startBitbucketDouble } from '../doubles/bitbucket/bitbucket-double';
import { startGitHubDouble } from '../doubles/github/github-double';
import { startGitLabDouble } from '../doubles/gitlab/gitlab-double';
import { randomSha, type ScmDoubleState } from '../doubles/scm-common/scm-double-state';
import type { ScmContractFixture } from './scm-contract';

/** The doubles listen on 127.0.0.1 over plain http. */
export const LOOPBACK_POLICY: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

const CLIENT_ID = 'keelson-client';
const CLIENT_SECRET = 'keelson-client-secret-0123456789';
const REDIRECT_URI = 'http://keelson.example.test/oauth/callback';
/** More than one page of 100, the largest page any of the providers serves. */
const ORG_REPOS = 120;

interface Seeded {
  repo: ScmContractFixture['repo'];
  pushable: string[];
  readOnly: string[];
}

/**
 * alice owns alice/app, may push to 120 repositories of acme, only reads acme/docs, cannot see bob/private, and
 * acme/legacy is archived (where the provider archives: not Bitbucket Cloud).
 */
function seed(state: ScmDoubleState, options: { archives: boolean }): Seeded {
  state.addUser('alice', { name: 'Alice Liddell', email: 'alice@example.test' });
  state.addUser('bob', { name: 'Bob' });
  state.addApp(CLIENT_ID, CLIENT_SECRET);
  state.signedIn = 'alice';
  state.tokenLifetimeSeconds = 7200;
  const sha = randomSha();
  state.addRepo({ owner: 'alice', name: 'app', branches: { main: sha, 'feature/x': randomSha() }, defaultBranch: 'main' });
  const pushable = ['alice/app'];
  for (let i = 1; i <= ORG_REPOS; i++) {
    const name = `service-${String(i).padStart(3, '0')}`;
    state.addRepo({ owner: 'acme', name, access: { alice: i % 10 === 0 ? 'admin' : 'write' } });
    pushable.push(`acme/${name}`);
  }
  state.addRepo({ owner: 'acme', name: 'docs', private: false, access: { alice: 'read' } });
  if (options.archives) state.addRepo({ owner: 'acme', name: 'legacy', archived: true, access: { alice: 'write' } });
  state.addRepo({ owner: 'bob', name: 'private' });
  const readOnly = ['acme/docs', 'bob/private', ...(options.archives ? ['acme/legacy'] : [])];
  return { repo: { fullName: 'alice/app', branch: 'main', sha }, pushable, readOnly };
}

async function followConsent(authorizeUrl: string): Promise<{ code: string; state: string | null }> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status} without a redirect`);
  const target = new URL(location);
  const code = target.searchParams.get('code');
  if (!code) throw new Error(`the redirect carries no code: ${target.search}`);
  return { code, state: target.searchParams.get('state') };
}

function fixture(type: ScmProviderType, double: { url: string; apiUrl: string; state: ScmDoubleState; close(): Promise<void> }, words: ScmContractFixture['words'], descriptionLimit?: number): ScmContractFixture {
  const seeded = seed(double.state, { archives: type !== 'bitbucket' });
  const endpoint: ScmEndpoint = { type, url: double.url, apiUrl: double.apiUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  return {
    client: scmClientFor(endpoint, { policy: LOOPBACK_POLICY, timeoutMs: 10_000 }),
    endpoint,
    redirectUri: REDIRECT_URI,
    authorize: followConsent,
    user: { login: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
    ...seeded,
    words,
    descriptionLimit,
    statuses: async (repo, sha) => double.state.latestStatuses(double.state.repo(repo)!, sha).map((s) => ({ context: s.name ?? s.context, state: s.state, description: s.description })),
    revoke: async (token) => double.state.revoke(token.accessToken),
    expire: async (token) => double.state.expire(token.accessToken),
    rateLimit: async (seconds) => double.state.rateLimit(seconds),
    close: () => double.close(),
  };
}

export async function githubDoubleFixture(): Promise<ScmContractFixture> {
  return fixture('github', await startGitHubDouble(), { running: 'pending', success: 'success' }, 140);
}

export async function gitlabDoubleFixture(): Promise<ScmContractFixture> {
  return fixture('gitlab', await startGitLabDouble(), { running: 'running', success: 'success' }, 255);
}

export async function bitbucketDoubleFixture(): Promise<ScmContractFixture> {
  return fixture('bitbucket', await startBitbucketDouble(), { running: 'INPROGRESS', success: 'SUCCESSFUL' }, 255);
}
