import { createHmac } from 'node:crypto';
import { verifySignature } from './signature';

const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

describe('verifySignature', () => {
  const body = Buffer.from('Hello, World!');

  it('accepts GitHub\'s documented test vector and refuses a changed body', () => {
    // docs.github.com "Validating webhook deliveries": secret and payload with their expected signature.
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    expect(verifySignature('github', headers, body, "It's a Secret to Everybody")).toEqual({ ok: true });
    expect(verifySignature('github', headers, Buffer.from('Hello, World?'), "It's a Secret to Everybody")).toEqual({ ok: false, reason: 'X-Hub-Signature-256 does not match the body' });
  });

  it('fails closed without a secret, whatever the delivery says', () => {
    const headers = { 'x-hub-signature-256': `sha256=${hmac('', body)}`, 'x-gitlab-token': '' };
    for (const provider of ['github', 'gitlab', 'gitea', 'bitbucket'] as const) {
      expect(verifySignature(provider, headers, body, undefined)).toEqual({ ok: false, reason: 'the pipeline has no webhook secret' });
      expect(verifySignature(provider, headers, body, '')).toMatchObject({ ok: false });
    }
  });

  it('refuses a missing signature header by name', () => {
    expect(verifySignature('github', {}, body, 's')).toEqual({ ok: false, reason: 'X-Hub-Signature-256 is missing' });
    expect(verifySignature('gitlab', {}, body, 's')).toEqual({ ok: false, reason: 'X-Gitlab-Token is missing' });
    expect(verifySignature('gitea', {}, body, 's')).toEqual({ ok: false, reason: 'X-Forgejo-Signature is missing' });
    expect(verifySignature('bitbucket', {}, body, 's')).toEqual({ ok: false, reason: 'X-Hub-Signature is missing' });
  });

  it('checks Gitea\'s bare hex HMAC and Forgejo\'s header', () => {
    expect(verifySignature('gitea', { 'x-gitea-signature': hmac('s3', body) }, body, 's3')).toEqual({ ok: true });
    expect(verifySignature('gitea', { 'x-forgejo-signature': hmac('s3', body) }, body, 's3')).toEqual({ ok: true });
    // GitHub's prefixed form in Gitea's header is not Gitea's format.
    expect(verifySignature('gitea', { 'x-gitea-signature': `sha256=${hmac('s3', body)}` }, body, 's3')).toMatchObject({ ok: false });
    expect(verifySignature('gitea', { 'x-gitea-signature': hmac('other', body) }, body, 's3')).toMatchObject({ ok: false });
  });

  it('compares GitLab\'s token as a whole: no prefix, no longer value passes', () => {
    expect(verifySignature('gitlab', { 'x-gitlab-token': 'tok-123' }, body, 'tok-123')).toEqual({ ok: true });
    for (const sent of ['tok-12', 'tok-1234', 'TOK-123', ' tok-123']) {
      expect(verifySignature('gitlab', { 'x-gitlab-token': sent }, body, 'tok-123')).toEqual({ ok: false, reason: 'X-Gitlab-Token is not the pipeline\'s secret' });
    }
  });

  it('checks Bitbucket\'s sha256= HMAC, case-insensitively in the hex', () => {
    const sent = `sha256=${hmac('bb', body).toUpperCase()}`.replace('SHA256=', 'sha256=');
    expect(verifySignature('bitbucket', { 'x-hub-signature': sent }, body, 'bb')).toEqual({ ok: true });
    expect(verifySignature('bitbucket', { 'x-hub-signature': `sha1=${hmac('bb', body)}` }, body, 'bb')).toMatchObject({ ok: false });
  });
});
