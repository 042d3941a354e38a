// The body of a verified delivery, decoded: JSON, or a form whose `payload` field holds the JSON (GitHub's and
// Gitea's "form" content type). Anything else is refused with the reason.
import { WebhookPayloadError } from './webhook-event';

export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = utf8(body);
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new WebhookPayloadError('a form-encoded delivery must carry the JSON in its "payload" field');
    return json(payload);
  }
  if (type === 'application/json' || type === '' || type.endsWith('+json')) return json(text);
  throw new WebhookPayloadError(`content type ${JSON.stringify(type)} is not supported; send application/json`);
}

function utf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new WebhookPayloadError('the body is not valid UTF-8');
  }
}

function json(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WebhookPayloadError('the body must be a JSON object');
    return value;
  } catch (err) {
    if (err instanceof WebhookPayloadError) throw err;
    throw new WebhookPayloadError(`the body is not valid JSON: ${(err as Error).message}`);
  }
}
