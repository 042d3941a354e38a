// Tokens and client secrets must never reach a message: a provider may echo a request (a form field, a header)
// in its error body, and a message ends up in logs, events and CR statuses.

export const REDACTED = '[redacted]';

/** The text with every secret (and its URL-encoded and Base64 forms) replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
