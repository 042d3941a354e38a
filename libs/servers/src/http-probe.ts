import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

/** Status code of a GET, or 0 when the server does not answer; used only for readiness probes. */
export function probe(url: string, opts: { ca?: string; token?: string; timeoutMs?: number; selfSigned?: boolean } = {}): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, {
      ca: opts.ca,
      // kube-scheduler and kube-controller-manager serve /healthz with a certificate they generate themselves.
      rejectUnauthorized: !opts.selfSigned,
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      timeout: opts.timeoutMs ?? 2000,
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
