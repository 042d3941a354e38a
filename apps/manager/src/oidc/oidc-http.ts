// The manager's calls to the OIDC issuer (discovery, JWKS, token endpoint), under the operator's outbound policy:
// the host is checked after DNS, the socket goes only to the checked addresses, redirects are not followed, and
// each call has a deadline and a size limit. The client secret travels only in the token request's headers/body.
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { checkOutbound, OutboundError, type HostLookup, type OutboundPolicy } from '@keelson/outbound';
import { pinnedLookup } from '@keelson/notifications';
import { OidcError } from './oidc.errors';

export interface OidcHttpOptions {
  policy: OutboundPolicy;
  timeoutMs?: number;
  lookup?: HostLookup;
  /** PEM of a private CA trusted besides the system's roots (OIDC_CA_CERT). */
  extraCa?: string;
}

export interface OidcAnswer {
  status: number;
  body: unknown;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

export class OidcHttp {
  constructor(private readonly options: OidcHttpOptions) {}

  getJson(url: string, what: string): Promise<OidcAnswer> {
    return this.send('GET', url, what, { accept: 'application/json' });
  }

  postForm(url: string, form: Record<string, string>, headers: Record<string, string>, what: string): Promise<OidcAnswer> {
    const body = Buffer.from(new URLSearchParams(form).toString(), 'utf8');
    return this.send('POST', url, what, { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), ...headers }, body);
  }

  private async send(method: string, url: string, what: string, headers: Record<string, string>, body?: Buffer): Promise<OidcAnswer> {
    let destination;
    try {
      destination = await checkOutbound(url, this.options.policy, { lookup: this.options.lookup });
    } catch (err) {
      if (err instanceof OutboundError) throw new OidcError('OidcIssuerUnavailable', `${what}: ${err.message} (OUTBOUND_ALLOW_HTTP / OUTBOUND_ALLOW_CIDRS)`, { cause: err });
      throw err;
    }
    const target = destination.url;
    const client = target.protocol === 'https:' ? https : http;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const text = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const fail = (err: Error) => reject(new OidcError('OidcIssuerUnavailable', `${what}: ${target.host} did not answer: ${err.message}`, { cause: err }));
      const request = client.request({
        method, protocol: target.protocol, hostname: destination.literal ?? destination.hostname, port: destination.port,
        path: `${target.pathname}${target.search}`, lookup: pinnedLookup(destination.addresses),
        ...(target.protocol === 'https:' && !destination.literal ? { servername: destination.hostname } : {}),
        ...(target.protocol === 'https:' && this.options.extraCa ? { ca: [...rootCertificates, this.options.extraCa] } : {}),
        headers: { 'user-agent': 'keelson-manager', ...headers }, timeout: timeoutMs, agent: false,
      }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) request.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', fail);
      });
      const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', fail);
      request.on('close', () => clearTimeout(deadline));
      request.end(body);
    });
    let parsed: unknown;
    try {
      parsed = text.text ? JSON.parse(text.text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: text.status, body: parsed };
  }
}
