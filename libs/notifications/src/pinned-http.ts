// One outbound HTTP POST to a tenant-supplied URL (a robot or webhook URL), under the operator's outbound policy:
// the destination is checked after DNS (libs/outbound), the connection goes only to the addresses checked (a
// second DNS answer cannot move it), redirects are never followed, and the whole exchange has a deadline.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkOutbound, OutboundError, type CheckedDestination, type HostLookup, type OutboundPolicy } from '@keelson/outbound';
import { NotificationError } from './notification.errors';

export interface HttpPostOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  /** DNS for the policy check (tests inject one); the system resolver otherwise. */
  lookup?: HostLookup;
  headers?: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** The destination as the policy sees it; an `OutboundError` becomes `Refused`, naming the host only. */
export async function checkDestination(url: string, policy: OutboundPolicy, lookup: HostLookup | undefined, what: string): Promise<CheckedDestination> {
  try {
    return await checkOutbound(url, policy, { lookup });
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    if (err.code === 'ResolutionFailed') throw new NotificationError('Unavailable', `${what}: ${err.message}`, true, { cause: err });
    throw new NotificationError('Refused', `${what}: ${err.message}`, false, { cause: err });
  }
}

/** A `lookup` that answers only the checked addresses, so the socket connects to what the policy allowed. */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const answers = addresses.map((address) => ({ address, family: isIP(address) }));
    if (options?.all) callback(null, answers);
    else callback(null, answers[0].address, answers[0].family);
  }) as unknown as LookupFunction;
}

/**
 * POSTs a JSON body (an object, or its exact serialisation when the caller signs the bytes); resolves with any
 * HTTP answer (the caller judges the status), rejects when there is none.
 */
export async function postJson(url: string, body: unknown, options: HttpPostOptions, what: string): Promise<HttpAnswer> {
  const destination = await checkDestination(url, options.policy, options.lookup, what);
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const target = destination.url;
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = client.request({
      method: 'POST', protocol: target.protocol, hostname: destination.literal ?? destination.hostname, port: destination.port,
      path: `${target.pathname}${target.search}`, lookup: pinnedLookup(destination.addresses),
      // TLS verifies the certificate against the host name, whichever checked address we connect to.
      ...(target.protocol === 'https:' && !destination.literal ? { servername: destination.hostname } : {}),
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), 'user-agent': 'keelson-notifier', ...options.headers },
      timeout: options.timeoutMs, agent: false,
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (err) => reject(unavailable(what, destination, err)));
    });
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (err) => reject(unavailable(what, destination, err)));
    request.on('close', () => clearTimeout(deadline));
    request.end(payload);
  });
}

/** Judges an answer: 2xx is fine, 408/429/5xx are worth retrying, any other status (redirects included) is final. */
export function requireSuccess(answer: HttpAnswer, what: string, host: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const retry = answer.status === 408 || answer.status === 429 || answer.status >= 500;
  const redirect = answer.status >= 300 && answer.status < 400 ? ' (redirects are not followed)' : '';
  throw new NotificationError(retry ? 'Unavailable' : 'Rejected', `${what}: ${host} answered HTTP ${answer.status}${redirect}`, retry);
}

function unavailable(what: string, destination: CheckedDestination, err: Error): NotificationError {
  // The socket's message names an address and port at most, never the path or query.
  return new NotificationError('Unavailable', `${what}: ${destination.url.host} did not answer: ${err.message}`, true, { cause: err });
}
