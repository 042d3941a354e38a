// The system credentials store, global domain `_` (credentials plugin). Credentials arrive as XStream XML
// (or form JSON) and are served back with their secrets redacted.
import { randomUUID } from 'node:crypto';
import { childElements, escapeXml, parseXml, textOf, type XmlElement } from '../xml/xml-document.reader';

export interface StoredCredential {
  className: string;
  id: string;
  scope: string;
  description: string;
  /** Plain fields (username, ...), and secret fields by name. */
  fields: Array<{ name: string; value: string; secret: boolean }>;
}

const SECRET_FIELDS = new Set(['password', 'secret', 'privateKey', 'passphrase', 'secretBytes']);

const TYPE_NAMES: Record<string, string> = {
  'com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl': 'Username with password',
  'org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl': 'Secret text',
  'org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl': 'Secret file',
  'com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey': 'SSH Username with private key',
};

export class CredentialParseError extends Error {}

/** @throws CredentialParseError ("Failed to parse credential"), answered with a 5xx like the plugin. */
export function credentialFromXml(xml: string): StoredCredential {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (err) {
    throw new CredentialParseError(`Failed to parse credential: ${(err as Error).message}`);
  }
  if (!doc.name.includes('.')) throw new CredentialParseError(`Failed to parse credential: no class ${doc.name}`);
  const fields: StoredCredential['fields'] = [];
  let id = '';
  let scope = 'GLOBAL';
  let description = '';
  for (const child of childElements(doc)) {
    const value = textOf(child);
    if (child.name === 'id') id = value;
    else if (child.name === 'scope') scope = value;
    else if (child.name === 'description') description = value;
    else fields.push({ name: child.name, value, secret: SECRET_FIELDS.has(child.name) });
  }
  return { className: doc.name, id: id || randomUUID(), scope, description, fields };
}

/** The form of createCredentials: `json={"credentials":{"$class":...,"id":...}}`. */
export function credentialFromForm(json: Record<string, unknown>): StoredCredential {
  const c = (json.credentials ?? {}) as Record<string, unknown>;
  const className = String(c.$class ?? c['stapler-class'] ?? 'com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl');
  const fields = Object.entries(c)
    .filter(([k]) => !['$class', 'stapler-class', 'id', 'scope', 'description'].includes(k))
    .map(([name, value]) => ({ name, value: String(value), secret: SECRET_FIELDS.has(name) }));
  return { className, id: String(c.id || randomUUID()), scope: String(c.scope ?? 'GLOBAL'), description: String(c.description ?? ''), fields };
}

export function credentialXml(c: StoredCredential): string {
  const lines = [`<${c.className}>`, `  <scope>${escapeXml(c.scope)}</scope>`, `  <id>${escapeXml(c.id)}</id>`,
    `  <description>${escapeXml(c.description)}</description>`];
  for (const f of c.fields) {
    lines.push(f.secret ? `  <${f.name}>\n    <secret-redacted/>\n  </${f.name}>` : `  <${f.name}>${escapeXml(f.value)}</${f.name}>`);
  }
  lines.push(`</${c.className}>`);
  return lines.join('\n');
}

/** CredentialsWrapper as the JSON API exports it. */
export function credentialJson(c: StoredCredential): Record<string, unknown> {
  const username = c.fields.find((f) => f.name === 'username')?.value;
  const typeName = TYPE_NAMES[c.className] ?? c.className.replace(/^.*\./, '');
  return {
    _class: 'com.cloudbees.plugins.credentials.CredentialsStoreAction$CredentialsWrapper',
    description: c.description || null,
    displayName: username !== undefined ? `${username}/****${c.description ? ` (${c.description})` : ''}` : (c.description || c.id),
    fingerprint: null,
    fullName: `system/_/${c.id}`,
    id: c.id,
    typeName,
  };
}

export class CredentialStore {
  private readonly byId = new Map<string, StoredCredential>();

  /** False when the id exists (409 from the plugin). */
  add(c: StoredCredential): boolean {
    if (this.byId.has(c.id)) return false;
    this.byId.set(c.id, c);
    return true;
  }

  get(id: string): StoredCredential | undefined {
    return this.byId.get(id);
  }

  replace(id: string, c: StoredCredential): void {
    this.byId.delete(id);
    this.byId.set(c.id, c);
  }

  remove(id: string): boolean {
    return this.byId.delete(id);
  }

  list(): StoredCredential[] {
    return [...this.byId.values()];
  }
}
