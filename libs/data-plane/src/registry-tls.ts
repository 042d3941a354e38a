// The registry's TLS: a CA of its own per data plane and a server certificate for the Service's DNS names.
// Node 20 cannot create certificates, so node-forge builds them; the keys come from node:crypto (fast, native).
// The CA key is not kept: when the server certificate is due, a new CA and certificate replace both, and build
// pods read `registry-ca` afresh at every start.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface RegistryTls {
  caCrt: string;
  tlsCrt: string;
  tlsKey: string;
}

export const REGISTRY_CERT_VALIDITY_DAYS = 365;
/** A certificate closer than this to its end is replaced. */
export const REGISTRY_CERT_RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

function keyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), privatePem: privateKey };
}

function serial(): string {
  // Positive (high bit clear), 16 bytes, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** A fresh CA and a server certificate for `dnsNames`, valid from a few minutes before `now`. */
export function generateRegistryTls(commonName: string, dnsNames: string[], now: Date): RegistryTls {
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + REGISTRY_CERT_VALIDITY_DAYS * DAY_MS);

  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = notBefore;
  // The CA outlives the server certificate it signs by the renewal margin, so it never expires first.
  ca.validity.notAfter = new Date(notAfter.getTime() + REGISTRY_CERT_RENEW_BEFORE_DAYS * DAY_MS);
  const caSubject = [{ name: 'commonName', value: `${commonName} CA` }, { name: 'organizationName', value: 'keelson' }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'keelson' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  return { caCrt: forge.pki.certificateToPem(ca), tlsCrt: forge.pki.certificateToPem(cert), tlsKey: serverKeys.privatePem };
}

/**
 * Whether the stored certificate must be replaced: unreadable, not signed by the stored CA, not valid for every
 * name, or within the renewal margin of its end.
 */
export function registryTlsNeedsRenewal(tls: RegistryTls, dnsNames: string[], now: Date): boolean {
  try {
    const cert = new X509Certificate(tls.tlsCrt);
    const ca = new X509Certificate(tls.caCrt);
    if (!cert.verify(ca.publicKey)) return true;
    if (dnsNames.some((name) => cert.checkHost(name, { wildcards: false }) !== name)) return true;
    return new Date(cert.validTo).getTime() - now.getTime() < REGISTRY_CERT_RENEW_BEFORE_DAYS * DAY_MS;
  } catch {
    return true;
  }
}
