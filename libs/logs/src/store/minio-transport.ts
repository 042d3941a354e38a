// The HTTP transport handed to the minio client. minio-js sets no deadline of its own (minio/minio-js#1181): a
// MinIO that accepts connections but never answers would hold a sync job for ever. Here an idle socket is
// destroyed after `timeoutMs`, which fails the request (or the body being streamed) with ETIMEDOUT.
import http from 'node:http';
import https from 'node:https';

export interface MinioTransport {
  request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest;
}

export function timedTransport(secure: boolean, timeoutMs: number): { transport: MinioTransport; agent: http.Agent } {
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
  const base = secure ? https : http;
  const transport: MinioTransport = {
    request(options, callback) {
      const req = base.request({ ...options, agent }, callback);
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer from MinIO within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      return req;
    },
  };
  return { transport, agent };
}
