import { request as httpsRequest, RequestOptions } from 'node:https';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './kube-errors';
import { podExec, type PodExecRequest, type PodExecResult } from './pod-exec';

/** Requests other than watches give up after this long, so a silent network cannot stall a caller forever. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Where a connection comes from: a kubeconfig file or text, explicit access, or the pod's service account. */
export type KubeSource =
  | { kubeconfigPath: string }
  | { kubeconfig: string }
  | { server: string; caPem?: string; token: string }
  | { inCluster: true };

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

/**
 * An authenticated HTTP channel to one apiserver. @kubernetes/client-node only loads the kubeconfig and sets
 * TLS and credentials on each request (so exec plugins and in-cluster tokens keep working); the REST calls
 * themselves are ours, which keeps status subresources, server-side apply and watch errors under control.
 */
export class KubeConnection {
  private constructor(private readonly config: KubeConfig, readonly server: string) {}

  static open(source: KubeSource): KubeConnection {
    const kc = new KubeConfig();
    if ('kubeconfigPath' in source) kc.loadFromFile(source.kubeconfigPath);
    else if ('kubeconfig' in source) kc.loadFromString(source.kubeconfig);
    else if ('inCluster' in source) kc.loadFromCluster();
    else {
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: source.server, caData: source.caPem && Buffer.from(source.caPem).toString('base64') }],
        users: [{ name: 'u', token: source.token }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    return new KubeConnection(kc, cluster.server.replace(/\/$/, ''));
  }

  private async options(req: KubeRequest, headers: Record<string, string>): Promise<{ url: URL; options: RequestOptions }> {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const options: RequestOptions = { method: req.method, headers: { Accept: 'application/json', ...headers } };
    await this.config.applyToHTTPSOptions(options);
    return { url, options };
  }

  /** A command in a running container, over the exec WebSocket (see pod-exec.ts). */
  exec(req: PodExecRequest): Promise<PodExecResult> {
    return podExec(this.config, req);
  }

  /** One request; a non-2xx answer becomes a KubeError, a network failure a KubeError with status 0. */
  async request<T>(req: KubeRequest): Promise<T> {
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const res = await this.send({ timeoutMs: DEFAULT_TIMEOUT_MS, ...req }, headers, body);
    const text = await readAll(res);
    const parsed = text ? safeJson(text) : undefined;
    if ((res.statusCode ?? 0) >= 300) throw KubeError.fromResponse(res.statusCode ?? 0, parsed ?? text);
    // A body that is not JSON (Prometheus text from /metrics, "ok" from /readyz) is returned as it is.
    return (parsed === undefined && text ? text : parsed) as T;
  }

  /** A streaming GET (watch): resolves with the response once headers arrive and the status is 2xx. */
  async stream(req: KubeRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await this.send(req, {}, undefined, signal);
    if ((res.statusCode ?? 0) >= 300) {
      const text = await readAll(res);
      throw KubeError.fromResponse(res.statusCode ?? 0, safeJson(text) ?? text);
    }
    return res;
  }

  private async send(req: KubeRequest, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const { url, options } = await this.options(req, headers);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = request(url, { ...options, signal }, resolve);
      r.on('error', (err) => reject(new KubeError(0, 'Unreachable', `${req.method} ${req.path}: ${err.message}`)));
      if (req.timeoutMs) r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`timed out after ${req.timeoutMs} ms`)));
      r.end(body);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
