// The one way this lib makes a minio client: path-style requests to the project's MinIO, a fixed region (no
// GetBucketLocation before the first call on each bucket), and a deadline on every request (minio-transport.ts).
import { Client } from 'minio';
import { timedTransport } from './minio-transport';

export interface LogStoreEndpoint {
  /** http(s)://host:port of the MinIO S3 API. */
  url: string;
  accessKey: string;
  secretKey: string;
}

export const MINIO_REGION = 'us-east-1';

export function minioClient(endpoint: LogStoreEndpoint, options: { timeoutMs?: number; partSize?: number } = {}): Client {
  const url = new URL(endpoint.url);
  const secure = url.protocol === 'https:';
  const { transport, agent } = timedTransport(secure, options.timeoutMs ?? 10_000);
  return new Client({
    endPoint: url.hostname, port: url.port ? Number(url.port) : secure ? 443 : 80, useSSL: secure,
    accessKey: endpoint.accessKey, secretKey: endpoint.secretKey, region: MINIO_REGION, pathStyle: true,
    ...(options.partSize !== undefined && { partSize: options.partSize }),
    transport: transport as never, transportAgent: agent,
  });
}
