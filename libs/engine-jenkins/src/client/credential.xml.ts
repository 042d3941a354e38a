// The XML form of a username/password credential for the credentials plugin's REST API (reference
// "Credentials": createCredentials and credential/<id>/config.xml take the same document). Every value is
// escaped; the secret travels only in this body.
import { xmlText } from '../compiler/escape';
import type { EngineCredential } from '../engine/execution-engine.port';

const CLASS = 'com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl';

export function credentialXml(credential: EngineCredential): string {
  return [
    `<${CLASS}>`,
    '  <scope>GLOBAL</scope>',
    `  <id>${xmlText(credential.id)}</id>`,
    `  <description>${xmlText(credential.description ?? '')}</description>`,
    `  <username>${xmlText(credential.username)}</username>`,
    `  <password>${xmlText(credential.password)}</password>`,
    `</${CLASS}>`,
    '',
  ].join('\n');
}
