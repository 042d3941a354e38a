// libs/scm against each provider's protocol double and the real Gitea, through the same contract cases.
import { scmClientFor } from '@keelson/scm';
import { startGitea, type Gitea } from '@keelson/servers';
import { startBitbucketDouble } from '../doubles/bitbucket/bitbucket-double';
import { startGitHubDouble } from '../doubles/github/github-double';
import { startGitLabDouble } from '../doubles/gitlab/gitlab-double';
import { randomSha } from '../doubles/scm-common/scm-double-state';
import { describeScmContract } from '../contract/scm-contract';
import { bitbucketDoubleFixture, githubDoubleFixture, gitlabDoubleFixture, LOOPBACK_POLICY } from '../contract/double-fixtures';
import { giteaContractFixture } from '../contract/gitea-fixture';

describeScmContract('GitHub (Enterprise Server double)', githubDoubleFixture);
describeScmContract('GitLab (double)', gitlabDoubleFixture);
describeScmContract('Bitbucket Cloud (double)', bitbucketDoubleFixture);

// The real Gitea (libs/servers), signed in through its web consent form; Gitea has no rate limits.
describeScmContract('Gitea (real server)', giteaContractFixture, { rateLimits: false });

describe('GitLab pagination without Link headers', () => {
  it('follows X-Next-Page when a proxy dropped the Link header', async () => {
    const gitlab = await startGitLabDouble({ omitLink: true });
    try {
      gitlab.state.addUser('alice');
      for (let i = 1; i <= 230; i++) gitlab.state.addRepo({ owner: 'acme', name: `p${i}`, access: { alice: 'write' } });
      const token = gitlab.state.issueToken('alice');
      const client = scmClientFor({ type: 'gitlab', url: gitlab.url, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
      const repos = await client.repositories({ accessToken: token.accessToken });
      expect(repos).toHaveLength(230);
      expect(gitlab.state.requests.filter((r) => r.path === '/api/v4/projects')).toHaveLength(3);
    } finally {
      await gitlab.close();
    }
  });
});

describe('provider specifics', () => {
  it('GitHub: a branch that redirects to another branch is NotFound, and the redirect is not followed', async () => {
    const github = await startGitHubDouble();
    try {
      github.state.addUser('alice');
      const repo = github.state.addRepo({ owner: 'alice', name: 'app', branches: { main: randomSha() } });
      repo.branchRedirects.set('master', 'main');
      const token = github.state.issueToken('alice');
      const client = scmClientFor({ type: 'github', url: github.url, apiUrl: github.apiUrl, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
      await expect(client.branchSha({ accessToken: token.accessToken }, 'alice/app', 'master')).rejects.toMatchObject({ code: 'NotFound', status: 301 });
      expect(github.state.requests.map((r) => r.path)).toEqual(['/api/v3/repos/alice/app/branches/master']);
    } finally {
      await github.close();
    }
  });

  it('GitHub: a second hook with the same URL is a Conflict', async () => {
    const github = await startGitHubDouble();
    try {
      github.state.addUser('alice');
      github.state.addRepo({ owner: 'alice', name: 'app' });
      const token = { accessToken: github.state.issueToken('alice').accessToken };
      const client = scmClientFor({ type: 'github', url: github.url, apiUrl: github.apiUrl, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
      const hook = { url: 'http://keelson.example.test/hooks/x', secret: 's3cret-hook', events: ['push' as const] };
      await client.createWebhook(token, 'alice/app', hook);
      const err = await client.createWebhook(token, 'alice/app', hook).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'Conflict', status: 422 });
      expect((err as Error).message).not.toContain('s3cret-hook');
      // The hook was created as JSON with the secret; GitHub's default would be a form body.
      expect(github.state.repo('alice/app')!.hooks[0]).toMatchObject({ contentType: 'json', secret: 's3cret-hook', events: ['push'] });
    } finally {
      await github.close();
    }
  });

  it('Bitbucket: a context longer than 40 characters becomes a stable hashed key, its name kept whole', async () => {
    const bitbucket = await startBitbucketDouble();
    try {
      bitbucket.state.addUser('alice');
      bitbucket.state.addRepo({ owner: 'alice', name: 'app' });
      const token = { accessToken: bitbucket.state.issueToken('alice').accessToken };
      const client = scmClientFor({ type: 'bitbucket', url: bitbucket.url, apiUrl: bitbucket.apiUrl, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
      const sha = randomSha();
      const context = 'keelson/team-a-production/deploy-to-cluster-eu-west-1';
      await client.setCommitStatus(token, 'alice/app', sha, { state: 'running', description: 'Running', context });
      await client.setCommitStatus(token, 'alice/app', sha, { state: 'cancelled', description: 'Stopped by alice', context });
      const statuses = bitbucket.state.latestStatuses(bitbucket.state.repo('alice/app')!, sha);
      expect(statuses).toHaveLength(1);
      expect(statuses[0].context.length).toBeLessThanOrEqual(40);
      expect(statuses[0]).toMatchObject({ name: context, state: 'STOPPED', targetUrl: `${bitbucket.url}/alice/app/commits/${sha}` });
    } finally {
      await bitbucket.close();
    }
  });

  it('GitLab: a project with a nested group path is addressed URL-encoded', async () => {
    const gitlab = await startGitLabDouble();
    try {
      gitlab.state.addUser('alice');
      const sha = randomSha();
      gitlab.state.addRepo({ owner: 'group/sub', name: 'project', branches: { 'feature/x': sha }, access: { alice: 'write' } });
      const client = scmClientFor({ type: 'gitlab', url: gitlab.url, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
      expect(await client.branchSha({ accessToken: gitlab.state.issueToken('alice').accessToken }, 'group/sub/project', 'feature/x')).toBe(sha);
      expect(gitlab.state.requests.at(-1)?.path).toBe('/api/v4/projects/group%2Fsub%2Fproject/repository/branches/feature%2Fx');
    } finally {
      await gitlab.close();
    }
  });
});

describe('Gitea specifics (real server)', () => {
  let gitea: Gitea;
  beforeAll(async () => {
    gitea = await startGitea();
  });
  afterAll(() => gitea?.close());

  it('a hook for pull requests hears openings and new commits, not labels, assignees, comments or reviews', async () => {
    const alice = await gitea.createUser('alice', 'alice-password-1');
    await gitea.createRepo(alice.token, 'app', { autoInit: true });
    const client = scmClientFor({ type: 'gitea', url: gitea.url, clientId: 'c', clientSecret: 's' }, { policy: LOOPBACK_POLICY });
    const created = await client.createWebhook({ accessToken: alice.token }, 'alice/app', {
      url: 'http://keelson.example.test/hooks/x', secret: 'hook-secret-1', events: ['push', 'tag', 'pull_request'],
    });
    const stored = await gitea.api<{ events: string[]; active: boolean; config: Record<string, string> }>(alice.token, 'GET', `/repos/alice/app/hooks/${created.id}`);
    expect([...stored.events].sort()).toEqual(['pull_request', 'pull_request_sync', 'push']);
    expect(stored).toMatchObject({ active: true, config: { content_type: 'json', url: 'http://keelson.example.test/hooks/x' } });
  });
});
