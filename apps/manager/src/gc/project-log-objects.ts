// The log objects of each project's MinIO, reached with the data plane's root credentials through the endpoint
// resolver (Service DNS in a cluster, DATA_PLANE_MINIO_URL in tests and local mode). A project whose data plane was
// never provisioned has no MinIO, hence no logs: undefined, not an error.
import { createHash } from 'node:crypto';
import { DataPlaneError, type MinioEndpoint } from '@keelson/data-plane';
import { MinioLogObjects, type LogObjects, type MinioLogObjectsOptions } from '@keelson/logs';

export interface ProjectLogObjects {
  forProject(project: string): Promise<LogObjects | undefined>;
}

export class MinioProjectLogObjects implements ProjectLogObjects {
  private readonly adapters = new Map<string, { fingerprint: string; objects: LogObjects }>();

  constructor(
    private readonly credentials: (project: string) => Promise<MinioEndpoint>,
    private readonly options: MinioLogObjectsOptions = {},
  ) {}

  async forProject(project: string): Promise<LogObjects | undefined> {
    let endpoint: MinioEndpoint;
    try {
      endpoint = await this.credentials(project);
    } catch (err) {
      if (err instanceof DataPlaneError && err.code === 'CredentialsMissing') return undefined;
      throw err;
    }
    // Rebuilt when the endpoint or the credentials change (a rotated Secret), kept otherwise.
    const fingerprint = createHash('sha256').update(`${endpoint.url}\u0000${endpoint.accessKey}\u0000${endpoint.secretKey}`).digest('hex');
    const known = this.adapters.get(project);
    if (known?.fingerprint === fingerprint) return known.objects;
    const objects = new MinioLogObjects({ url: endpoint.url, accessKey: endpoint.accessKey, secretKey: endpoint.secretKey }, this.options);
    this.adapters.set(project, { fingerprint, objects });
    return objects;
  }
}
