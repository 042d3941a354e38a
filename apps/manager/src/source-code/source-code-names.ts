// Object names derived from names we do not control (Kubernetes user names, provider full names): always valid
// DNS-1123 names, deterministic (a second sign-in or listing finds the same object) and, where two sources could
// slug alike, told apart by a hash.
import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Lower-case letters, digits and single dashes, at most `max` characters, never empty. */
export function slug(text: string, max: number, fallback = 'x'): string {
  const cut = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return cut || fallback;
}

/** `<provider>-<hash of the user>`: one credential per Kubernetes user and provider; the user's name stays out of it. */
export function credentialName(provider: string, user: string): string {
  return `${slug(provider, 48, 'provider')}-${sha256(user).slice(0, 12)}`;
}

/** The Secret holding a credential's token. */
export function tokenSecretName(credential: string): string {
  return `${credential}-token`;
}

/**
 * `<full name slugged>-<hash of credential and full name>`: readable, and apart for two credentials that list the
 * same repository, or two full names that slug alike (`a/b-c`, `a-b/c`).
 */
export function repositoryName(credential: string, fullName: string): string {
  return `${slug(fullName, 50, 'repo')}-${sha256(`${credential}\n${fullName}`).slice(0, 8)}`;
}

/** A Pipeline's default name: the repository's own name (the last part of its full name), slugged. */
export function pipelineName(fullName: string): string {
  return slug(fullName.split('/').pop() ?? '', 53, 'pipeline');
}
