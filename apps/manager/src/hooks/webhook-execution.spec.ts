import type { Pipeline } from '@keelson/crds';
import type { RunEvent } from '@keelson/webhooks';
import { forkRepositoryProblem } from '../executions/execution-creator.service';
import { deliveryKey } from './webhook-intake.service';
import { webhookExecution, webhookExecutionName } from './webhook-execution';
import { webhookSecretName } from './webhook-secrets';

const pipeline = (name = 'web'): Pipeline => ({
  apiVersion: 'devops.keelson.dev/v1alpha1', kind: 'Pipeline', metadata: { name, namespace: 'demo', uid: 'uid-1' },
  spec: { repositoryUrl: 'https://github.com/acme/widget.git', configPath: '.devops.yml', suspend: false },
} as Pipeline);
const repository = { fullName: 'acme/widget', urls: [], cloneUrl: 'https://github.com/acme/widget.git' };
const push: RunEvent = { kind: 'push', ref: 'refs/heads/main', branch: 'main', commit: 'a'.repeat(40), repository, title: 't', htmlUrl: 'https://github.com/acme/widget/commit/x' };

describe('webhookExecution', () => {
  it('names the execution by the event, within 253 characters, whatever the pipeline name', () => {
    expect(webhookExecutionName(pipeline(), push)).toMatch(/^web-[0-9a-z]{10}$/);
    expect(webhookExecutionName(pipeline(), { ...push, commit: 'b'.repeat(40) })).not.toBe(webhookExecutionName(pipeline(), push));
    expect(webhookExecutionName(pipeline('p'.repeat(253)), push).length).toBeLessThanOrEqual(253);
  });

  it('caps what the event says to the CRD\'s limits and drops links that are not http(s)', () => {
    const exe = webhookExecution(pipeline(), {
      ...push, title: 'x'.repeat(5000), message: 'm'.repeat(70_000), htmlUrl: 'javascript:alert(1)',
      author: { name: 'n'.repeat(300), email: 'e@x', avatarUrl: 'file:///etc/passwd' },
    }, 'd'.repeat(300));
    expect(exe.spec.title).toHaveLength(1024);
    expect(exe.spec.message).toHaveLength(65536);
    expect(exe.spec.htmlUrl).toBeUndefined();
    expect(exe.spec.author).toEqual({ name: 'n'.repeat(256), email: 'e@x', avatarUrl: undefined });
    expect(exe.spec.trigger).toEqual({ event: 'push', deliveryId: 'd'.repeat(256) });
    expect(exe.metadata.labels!['keelson.dev/delivery'].length).toBeLessThanOrEqual(63);
  });

  it('runs a pull request as its target branch, from the fork\'s clone URL when it is a fork', () => {
    const pr: RunEvent = {
      kind: 'pull_request', ref: 'refs/pull/3/head', commit: 'c'.repeat(40), repository,
      pullRequest: { number: 3, targetBranch: 'main', sourceBranch: 'topic', fork: true, source: { fullName: 'x/widget', urls: [], cloneUrl: 'https://github.com/x/widget.git' } },
    };
    expect(webhookExecution(pipeline(), pr, 'd').spec).toMatchObject({ fork: true, branch: 'main', repositoryUrl: 'https://github.com/x/widget.git', ref: 'refs/pull/3/head' });
    expect(webhookExecution(pipeline(), { ...pr, pullRequest: { ...pr.pullRequest!, fork: false } }, 'd').spec.repositoryUrl).toBe('https://github.com/acme/widget.git');
  });
});

describe('forkRepositoryProblem', () => {
  it('accepts a fork on the pipeline\'s server only', () => {
    expect(forkRepositoryProblem('https://github.com/x/widget.git', 'https://github.com/acme/widget.git')).toBeUndefined();
    expect(forkRepositoryProblem('https://evil.example/x/widget.git', 'https://github.com/acme/widget.git')).toMatch(/is on https:\/\/evil\.example, not on the pipeline's server https:\/\/github\.com/);
    expect(forkRepositoryProblem('file:///etc', 'https://github.com/acme/widget.git')).toMatch(/no http\(s\) clone URL/);
    expect(forkRepositoryProblem('http://169.254.169.254/x', 'https://github.com/acme/widget.git')).toMatch(/not on the pipeline's server/);
  });
});

describe('deliveryKey and webhookSecretName', () => {
  it('keeps a plain delivery id and hashes anything else, or the body when there is none', () => {
    expect(deliveryKey('72d3162e-cc78-11e3-81ab-4c9367dc0958', Buffer.from('b'))).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(deliveryKey('{uuid}', Buffer.from('b'))).toBe('{uuid}');
    expect(deliveryKey('a b\nc', Buffer.from('b'))).toMatch(/^id-[0-9a-f]{40}$/);
    expect(deliveryKey(undefined, Buffer.from('b'))).toBe(deliveryKey(undefined, Buffer.from('b')));
    expect(deliveryKey(undefined, Buffer.from('b'))).toMatch(/^body-[0-9a-f]{40}$/);
  });

  it('names the secret after the pipeline, hashed when too long', () => {
    expect(webhookSecretName('web')).toBe('keelson-webhook-web');
    expect(webhookSecretName('p'.repeat(253)).length).toBeLessThanOrEqual(253);
  });
});
