// One log store per project MinIO, built from the data plane's root credentials (through the endpoint resolver:
// Service DNS in a cluster, the override template in tests and local mode), kept while the credentials hold.
import { createHash } from 'node:crypto';
import type { MinioEndpoint } from '@keelson/data-plane';
import { MinioLogStore, type LogStoreOptions } from '@keelson/logs';

export class LogStores {
  private readonly endpoints = new Map<string, { at: number; endpoint: MinioEndpoint }>();
  private readonly stores = new Map<string, { fingerprint: string; store: MinioLogStore }>();

  constructor(
    private readonly credentials: (project: string) => Promise<MinioEndpoint>,
    private readonly options: LogStoreOptions = {},
    private readonly ttlMs = 10_000,
  ) {}

  async endpoint(project: string): Promise<MinioEndpoint> {
    const cached = this.endpoints.get(project);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.endpoint;
    const endpoint = await this.credentials(project);
    this.endpoints.set(project, { at: Date.now(), endpoint });
    return endpoint;
  }

  async forProject(project: string): Promise<MinioLogStore> {
    const endpoint = await this.endpoint(project);
    const fingerprint = createHash('sha256').update(`${endpoint.url}\u0000${endpoint.accessKey}\u0000${endpoint.secretKey}`).digest('hex');
    const known = this.stores.get(project);
    if (known?.fingerprint === fingerprint) return known.store;
    const store = new MinioLogStore({ url: endpoint.url, accessKey: endpoint.accessKey, secretKey: endpoint.secretKey }, this.options);
    this.stores.set(project, { fingerprint, store });
    return store;
  }
}
