// Where the manager reaches a data plane's services. In the cluster that is Service DNS; in tests and local
// mode (simulated pods, nothing listens behind a Service) an override template points at a real server, e.g.
// `http://127.0.0.1:8089/{namespace}`. One resolver serves one data-plane cluster: the credentials it reads
// live in that cluster's `<project>-pipeline` namespace.
import type { KubeClient } from '@keelson/kube';

import { DataPlaneError } from './data-plane.errors';
import { NAMES, PORTS, registryHost } from './data-plane.names';
import { readSecretData } from './secret-data';

/** Same shape as the engine port's EngineEndpoint: Jenkins root URL without a trailing slash, and the admin. */
export interface JenkinsEndpoint {
  url: string;
  username: string;
  password: string;
}

export interface MinioEndpoint {
  url: string;
  accessKey: string;
  secretKey: string;
}

export interface EndpointOverrides {
  /** Template of the Jenkins root URL; `{namespace}` is replaced by the data-plane namespace. */
  jenkins?: string;
  minio?: string;
  /** How the manager reaches the registry (build pods always use Service DNS). */
  registry?: string;
}

export interface EndpointResolver {
  jenkinsUrl(namespace: string): string;
  minioUrl(namespace: string): string;
  registryUrl(namespace: string): string;
  /** `host:port` build pods push to: always the in-cluster Service, it is what pods resolve. */
  registryHost(namespace: string): string;
  jenkinsCredentials(namespace: string): Promise<JenkinsEndpoint>;
  minioCredentials(namespace: string): Promise<MinioEndpoint>;
}

function fromTemplate(template: string, namespace: string): string {
  const url = template.replace(/\{namespace\}/g, encodeURIComponent(namespace)).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new DataPlaneError('InvalidEndpoint', `endpoint override ${JSON.stringify(template)} does not give a URL`, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DataPlaneError('InvalidEndpoint', `endpoint override ${JSON.stringify(template)} is not http(s)`);
  }
  return url;
}

export class DataPlaneEndpointResolver implements EndpointResolver {
  constructor(private readonly kube: KubeClient, private readonly overrides: EndpointOverrides = {}) {
    // Fail at boot, not at the first execution.
    for (const template of Object.values(overrides)) if (template !== undefined) fromTemplate(template, 'check');
  }

  jenkinsUrl(namespace: string): string {
    return this.overrides.jenkins !== undefined
      ? fromTemplate(this.overrides.jenkins, namespace)
      : `http://${NAMES.jenkins}.${namespace}.svc:${PORTS.jenkinsHttp}`;
  }

  minioUrl(namespace: string): string {
    return this.overrides.minio !== undefined
      ? fromTemplate(this.overrides.minio, namespace)
      : `http://${NAMES.minio}.${namespace}.svc:${PORTS.minio}`;
  }

  registryUrl(namespace: string): string {
    return this.overrides.registry !== undefined ? fromTemplate(this.overrides.registry, namespace) : `https://${registryHost(namespace)}`;
  }

  registryHost(namespace: string): string {
    return registryHost(namespace);
  }

  async jenkinsCredentials(namespace: string): Promise<JenkinsEndpoint> {
    const data = await this.credentials(namespace, NAMES.jenkinsAdminSecret);
    return { url: this.jenkinsUrl(namespace), username: data.username, password: data.password };
  }

  async minioCredentials(namespace: string): Promise<MinioEndpoint> {
    const data = await this.credentials(namespace, NAMES.minioRootSecret);
    return { url: this.minioUrl(namespace), accessKey: data.username, secretKey: data.password };
  }

  private async credentials(namespace: string, secret: string): Promise<{ username: string; password: string }> {
    const data = await readSecretData(this.kube, namespace, secret);
    if (!data?.username || !data.password) {
      // Provisioning creates it; until then the caller waits (Provisioning), so a retry can help.
      throw new DataPlaneError('CredentialsMissing', `Secret ${namespace}/${secret} with username and password does not exist yet`, { retryable: true });
    }
    return { username: data.username, password: data.password };
  }
}
