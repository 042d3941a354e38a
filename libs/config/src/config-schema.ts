import { X509Certificate } from 'node:crypto';
import { parseCidr } from '@keelson/outbound';

/** One environment variable: declared once, with what it means and whether its value may ever be logged. */
export interface ConfigVariable<T> {
  env: string;
  description: string;
  sensitive?: boolean;
  default?: T;
  /** Turns the raw text into a value, or throws with what was expected. */
  parse(raw: string): T;
}

/** Declares a variable; the overloads keep "has a default" in the type, so the loaded value is not optional. */
export function variable<T>(def: ConfigVariable<T> & { default: T }): ConfigVariable<T> & { default: T };
export function variable<T>(def: ConfigVariable<T>): ConfigVariable<T>;
export function variable<T>(def: ConfigVariable<T>): ConfigVariable<T> {
  return def;
}

export const parsers = {
  string: (raw: string) => raw,
  port(raw: string): number {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new Error('expected a port number between 1 and 65535');
    return n;
  },
  url: (protocols: string[]) => (raw: string): string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`expected a URL (${protocols.join(', ')})`);
    }
    if (!protocols.includes(url.protocol.replace(/:$/, ''))) throw new Error(`expected a URL with scheme ${protocols.join(' or ')}`);
    return raw;
  },
  /** An http(s) URL without query or fragment, its trailing slashes removed, so paths can be appended. */
  baseUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('expected an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('expected a URL with scheme http or https');
    if (url.search || url.hash || url.username || url.password) throw new Error('expected a URL without query, fragment or user info');
    return raw.replace(/\/+$/, '');
  },
  /** An OIDC issuer: https (http only for a loopback test issuer), no query, fragment or user info; its trailing slash removed. */
  issuerUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('expected an https URL');
    }
    const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error('expected an https URL (http only on a loopback address)');
    if (url.search || url.hash || url.username || url.password) throw new Error('expected a URL without query, fragment or user info');
    return raw.replace(/\/+$/, '');
  },
  /** One or more PEM certificates, each one parsed. */
  pemCertificates(raw: string): string {
    const blocks = raw.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error('expected PEM certificates (-----BEGIN CERTIFICATE----- ...)');
    for (const [i, block] of blocks.entries()) {
      try {
        new X509Certificate(block);
      } catch {
        throw new Error(`certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`);
      }
    }
    return blocks.join('\n');
  },
  /** Space-separated OAuth scopes that include openid. */
  oidcScopes(raw: string): string {
    const scopes = raw.split(/\s+/).filter(Boolean);
    const bad = scopes.filter((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s));
    if (bad.length) throw new Error(`expected space-separated scopes; ${bad.map((b) => JSON.stringify(b)).join(', ')} is not one`);
    if (!scopes.includes('openid')) throw new Error('expected the scope openid among them');
    return scopes.join(' ');
  },
  oneOf: <T extends string>(values: readonly T[]) => (raw: string): T => {
    if (!values.includes(raw as T)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw as T;
  },
  listOf: <T extends string>(values: readonly T[]) => (raw: string): T[] => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((i) => !values.includes(i as T));
    if (bad.length || items.length === 0) throw new Error(`expected a comma-separated list of ${values.join(', ')}${bad.length ? `; got ${bad.join(', ')}` : ''}`);
    return items as T[];
  },
  integer: (min: number, max: number) => (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`expected a whole number from ${min} to ${max}`);
    return n;
  },
  boolean(raw: string): boolean {
    if (raw !== 'true' && raw !== 'false') throw new Error('expected true or false');
    return raw === 'true';
  },
  absoluteDirectory(raw: string): string {
    const trimmed = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
    const segments = trimmed.split('/');
    if (!trimmed.startsWith('/') || trimmed === '/' || segments.some((s, i) => i > 0 && (s === '' || s === '.' || s === '..')) || /[\x00-\x20]/.test(trimmed)) {
      throw new Error('expected a normalised absolute directory other than / (no ., .. or empty segments, no spaces)');
    }
    return trimmed;
  },
  dnsLabelList(raw: string): string[] {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((i) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(i));
    if (bad.length) throw new Error(`expected a comma-separated list of DNS-1123 labels; got ${bad.join(', ')}`);
    return items;
  },
  cidrList(raw: string): string[] {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((i) => parseCidr(i) === undefined);
    if (bad.length) throw new Error(`expected a comma-separated list of CIDRs such as 127.0.0.0/8 or ::1/128; got ${bad.join(', ')}`);
    return items;
  },
  /** A secret of at least `min` characters (the value is never echoed in an error). */
  secretKey: (min: number) => (raw: string): string => {
    if (raw.length < min) throw new Error(`expected at least ${min} characters`);
    return raw;
  },
  /** A container image reference (`[registry[:port]/]path[:tag][@sha256:digest]`), lower-case repository. */
  imageReference(raw: string): string {
    if (!/^[a-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(raw)) {
      throw new Error('expected an image reference such as registry.example.com/jenkins/inbound-agent:3345.v03dee9b_f88fc-1 or one pinned by @sha256:<digest>');
    }
    return raw;
  },
  /** A DNS-1123 subdomain (object names such as ClusterRoles and ServiceAccounts). */
  dnsSubdomain(raw: string): string {
    if (raw.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(raw)) {
      throw new Error('expected a DNS-1123 subdomain (lower-case letters, digits, - and ., at most 253)');
    }
    return raw;
  },
  dnsLabel(raw: string): string {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) throw new Error('expected a DNS-1123 label (lower-case letters, digits, -)');
    return raw;
  },
};
