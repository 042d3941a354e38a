// Generated credentials and the Secrets that hold them. A generated Secret is created once and then only read:
// its values are never generated again (a new Jenkins password would lock the manager out, a new registry
// password would break every pull secret already copied). Only the registry certificate is replaced, when due.
import { randomBytes } from 'node:crypto';
import { hashSync } from 'bcryptjs';

import { NAMES } from './data-plane.names';
import { generateRegistryTls, RegistryTls } from './registry-tls';

export interface UserPassword {
  username: string;
  password: string;
}

export interface DataPlaneCredentials {
  jenkinsAdmin: UserPassword;
  minioRoot: UserPassword;
  /** `htpasswd` is the bcrypt line the registry checks; kept, since bcrypt salts make it differ each time. */
  registryAuth: UserPassword & { htpasswd: string };
  /**
   * The pull-only user nodes pull with through the node-local registry proxy (its password goes to every deploy
   * namespace; the push user's stays in the builds namespace). The registry's htpasswd knows both.
   */
  registryPull: UserPassword & { htpasswd: string };
  registryTls: RegistryTls;
}

/** Where randomness comes from; a test may replace it, production uses the default. */
export interface CredentialGenerator {
  password(): string;
  htpasswd(username: string, password: string): string;
  registryTls(commonName: string, dnsNames: string[], now: Date): RegistryTls;
}

export const defaultCredentialGenerator: CredentialGenerator = {
  // 24 random bytes: 32 URL-safe characters, no quoting needed anywhere.
  password: () => randomBytes(24).toString('base64url'),
  htpasswd: (username, password) => `${username}:${hashSync(password, 10)}\n`,
  registryTls: generateRegistryTls,
};

type Data = Record<string, string>;

/** One generated Secret: its name, type, and how credentials map to its keys. */
export interface GeneratedSecret<K extends keyof DataPlaneCredentials> {
  field: K;
  name: string;
  type: string;
  toData(value: DataPlaneCredentials[K]): Data;
  /** The stored value, or undefined when a key is missing (the Secret is then completed, never replaced). */
  fromData(data: Data): DataPlaneCredentials[K] | undefined;
}

const userPassword = (data: Data): UserPassword | undefined =>
  data.username && data.password ? { username: data.username, password: data.password } : undefined;

export const JENKINS_ADMIN_SECRET: GeneratedSecret<'jenkinsAdmin'> = {
  field: 'jenkinsAdmin', name: NAMES.jenkinsAdminSecret, type: 'Opaque',
  toData: (v) => ({ username: v.username, password: v.password }),
  fromData: userPassword,
};

export const MINIO_ROOT_SECRET: GeneratedSecret<'minioRoot'> = {
  field: 'minioRoot', name: NAMES.minioRootSecret, type: 'Opaque',
  toData: (v) => ({ username: v.username, password: v.password }),
  fromData: userPassword,
};

export const REGISTRY_AUTH_SECRET: GeneratedSecret<'registryAuth'> = {
  field: 'registryAuth', name: NAMES.registryAuthSecret, type: 'Opaque',
  toData: (v) => ({ username: v.username, password: v.password, htpasswd: v.htpasswd }),
  fromData: (data) => {
    const up = userPassword(data);
    return up && data.htpasswd?.startsWith(`${up.username}:`) ? { ...up, htpasswd: data.htpasswd } : undefined;
  },
};

export const REGISTRY_PULL_AUTH_SECRET: GeneratedSecret<'registryPull'> = {
  field: 'registryPull', name: NAMES.registryPullAuthSecret, type: 'Opaque',
  toData: (v) => ({ username: v.username, password: v.password, htpasswd: v.htpasswd }),
  fromData: REGISTRY_AUTH_SECRET.fromData,
};

export const REGISTRY_TLS_SECRET: GeneratedSecret<'registryTls'> = {
  field: 'registryTls', name: NAMES.registryTlsSecret, type: 'kubernetes.io/tls',
  toData: (v) => ({ 'tls.crt': v.tlsCrt, 'tls.key': v.tlsKey, 'ca.crt': v.caCrt }),
  fromData: (data) => (data['tls.crt'] && data['tls.key'] && data['ca.crt']
    ? { tlsCrt: data['tls.crt'], tlsKey: data['tls.key'], caCrt: data['ca.crt'] }
    : undefined),
};

export const GENERATED_SECRETS = [JENKINS_ADMIN_SECRET, MINIO_ROOT_SECRET, REGISTRY_AUTH_SECRET, REGISTRY_PULL_AUTH_SECRET, REGISTRY_TLS_SECRET] as const;

/** The pull user's name in every project's registry. */
export const REGISTRY_PULL_USER = 'keelson-pull';

/** Fresh values for one generated Secret. */
export function generateCredential<K extends keyof DataPlaneCredentials>(
  field: K, generator: CredentialGenerator, tlsNames: { commonName: string; dnsNames: string[] }, now: Date,
): DataPlaneCredentials[K] {
  const value = ((): DataPlaneCredentials[keyof DataPlaneCredentials] => {
    switch (field) {
      case 'jenkinsAdmin':
        return { username: 'admin', password: generator.password() };
      case 'minioRoot':
        return { username: 'keelson-root', password: generator.password() };
      case 'registryAuth': {
        const password = generator.password();
        return { username: 'keelson', password, htpasswd: generator.htpasswd('keelson', password) };
      }
      case 'registryPull': {
        const password = generator.password();
        return { username: REGISTRY_PULL_USER, password, htpasswd: generator.htpasswd(REGISTRY_PULL_USER, password) };
      }
      default:
        return generator.registryTls(tlsNames.commonName, tlsNames.dnsNames, now);
    }
  })();
  return value as DataPlaneCredentials[K];
}
