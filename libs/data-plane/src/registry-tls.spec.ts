import { X509Certificate, createPrivateKey } from 'node:crypto';

import { registryDnsNames } from './data-plane.names';
import { generateRegistryTls, registryTlsNeedsRenewal, REGISTRY_CERT_RENEW_BEFORE_DAYS, REGISTRY_CERT_VALIDITY_DAYS } from './registry-tls';
import { aRegistryTls } from './testing/data-plane.builders';

const DAY = 86_400_000;
const issued = new Date('2026-01-01T00:00:00Z');
const names = registryDnsNames('team-a-pipeline');

describe('registry TLS', () => {
  const tls = aRegistryTls('team-a-pipeline', issued);

  it('issues a server certificate signed by its own CA for every Service DNS name', () => {
    const cert = new X509Certificate(tls.tlsCrt);
    const ca = new X509Certificate(tls.caCrt);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    for (const name of names) expect(cert.checkHost(name)).toBe(name);
    expect(cert.checkHost('registry.team-b-pipeline.svc')).toBeUndefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
  });

  it('pairs the certificate with its private key', () => {
    const cert = new X509Certificate(tls.tlsCrt);
    expect(cert.checkPrivateKey(createPrivateKey(tls.tlsKey))).toBe(true);
  });

  it('is valid from just before issuance for the configured lifetime, and the CA outlives it', () => {
    const cert = new X509Certificate(tls.tlsCrt);
    const ca = new X509Certificate(tls.caCrt);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(issued.getTime());
    expect(new Date(cert.validTo).getTime()).toBe(Math.floor((issued.getTime() + REGISTRY_CERT_VALIDITY_DAYS * DAY) / 1000) * 1000);
    expect(new Date(ca.validTo).getTime()).toBeGreaterThan(new Date(cert.validTo).getTime());
  });

  it('generates a different key pair each time', () => {
    const other = generateRegistryTls('registry.team-a-pipeline.svc', names, issued);
    expect(other.tlsKey).not.toBe(tls.tlsKey);
    expect(other.caCrt).not.toBe(tls.caCrt);
  });

  describe('renewal', () => {
    it('keeps a certificate well before its end', () => {
      expect(registryTlsNeedsRenewal(tls, names, new Date(issued.getTime() + 100 * DAY))).toBe(false);
    });

    it('renews within the margin before its end', () => {
      const due = issued.getTime() + (REGISTRY_CERT_VALIDITY_DAYS - REGISTRY_CERT_RENEW_BEFORE_DAYS + 1) * DAY;
      expect(registryTlsNeedsRenewal(tls, names, new Date(due))).toBe(true);
    });

    it('renews a certificate that does not cover the namespace', () => {
      expect(registryTlsNeedsRenewal(tls, registryDnsNames('team-b-pipeline'), issued)).toBe(true);
    });

    it('renews a certificate the stored CA did not sign, or one that does not parse', () => {
      const other = generateRegistryTls('registry.team-a-pipeline.svc', names, issued);
      expect(registryTlsNeedsRenewal({ ...tls, caCrt: other.caCrt }, names, issued)).toBe(true);
      expect(registryTlsNeedsRenewal({ ...tls, tlsCrt: 'garbage' }, names, issued)).toBe(true);
    });
  });
});
