// Is this delivery from whoever holds the pipeline's webhook secret? Checked on the raw bytes before anything
// parses them, in constant time, and closed when there is no secret (webhooks.md; Shipit's fail-open is the
// anti-pattern). GitLab sends the secret itself; the others an HMAC-SHA256 of the body.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { header, type Headers } from './provider-detect';
import type { WebhookProvider } from './webhook-event';

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

export function verifySignature(provider: WebhookProvider, headers: Headers, body: Buffer, secret: string | undefined): SignatureVerdict {
  if (!secret) return { ok: false, reason: 'the pipeline has no webhook secret' };
  switch (provider) {
    case 'gitlab':
      return sameSecret(header(headers, 'x-gitlab-token'), secret, 'X-Gitlab-Token');
    case 'gitea': {
      const name = header(headers, 'x-gitea-signature') !== undefined ? 'X-Gitea-Signature' : 'X-Forgejo-Signature';
      return sameHmac(header(headers, name), '', body, secret, name);
    }
    case 'github':
      return sameHmac(header(headers, 'x-hub-signature-256'), 'sha256=', body, secret, 'X-Hub-Signature-256');
    case 'bitbucket':
      return sameHmac(header(headers, 'x-hub-signature'), 'sha256=', body, secret, 'X-Hub-Signature');
  }
}

function sameHmac(sent: string | undefined, prefix: string, body: Buffer, secret: string, name: string): SignatureVerdict {
  if (!sent) return { ok: false, reason: `${name} is missing` };
  const expected = Buffer.from(prefix + createHmac('sha256', secret).update(body).digest('hex'), 'utf8');
  return equalInConstantTime(Buffer.from(sent.trim().toLowerCase(), 'utf8'), expected) ? { ok: true } : { ok: false, reason: `${name} does not match the body` };
}

function sameSecret(sent: string | undefined, secret: string, name: string): SignatureVerdict {
  if (!sent) return { ok: false, reason: `${name} is missing` };
  return equalInConstantTime(Buffer.from(sent, 'utf8'), Buffer.from(secret, 'utf8')) ? { ok: true } : { ok: false, reason: `${name} is not the pipeline's secret` };
}

/**
 * timingSafeEqual throws on buffers of different lengths, and comparing lengths first tells an attacker the
 * length: both sides are hashed to 32 bytes first, so the comparison is always of equal lengths.
 */
export function equalInConstantTime(a: Buffer, b: Buffer): boolean {
  const digest = (x: Buffer) => createHmac('sha256', 'keelson-compare').update(x).digest();
  return timingSafeEqual(digest(a), digest(b));
}
