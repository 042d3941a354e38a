// Where an outbound call may go, decided before the first byte leaves: the URL's scheme, then every address its
// host has (the literal, or all that DNS answers, IPv4 and IPv6). One refused address refuses the host: a client
// may connect to any of them. The addresses checked are returned so the caller connects to exactly those and
// a second DNS answer (rebinding) cannot send it elsewhere.
import { lookup as dnsLookup } from 'node:dns/promises';
import { classifyAddress, embeddedIpv4, type ClassifiedAddress } from './address-class';
import { cidrContains, type Cidr } from './cidr';
import { formatIp, parseIp, type IpAddress } from './ip-address';
import { OutboundError } from './outbound.errors';
import { allowedRanges, type OutboundPolicy } from './outbound-policy';

export interface OutboundUrl {
  /** Parsed by the WHATWG rules, so odd host forms are normalised (`http://2852039166/` is `http://169.254.169.254/`). */
  url: URL;
  /** `scheme://host[:port]`, what a credential is bound to. */
  origin: string;
  /** The host without IPv6 brackets: a DNS name or an IP literal. */
  hostname: string;
  /** The port, the scheme's default when the URL has none. */
  port: number;
  /** The address when the host is an IP literal (nothing to resolve or pin). */
  literal?: string;
}

export interface CheckedDestination extends OutboundUrl {
  /** Every address of the host, all allowed, in the resolver's order; connect only to these. */
  addresses: string[];
}

/** Every address of a DNS name, as the system resolver answers (`/etc/hosts` included, like curl and Node). */
export type HostLookup = (hostname: string) => Promise<string[]>;

export const systemLookup: HostLookup = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** The scheme and, for an IP literal, the address; no DNS. Throws `OutboundError`. */
export function checkOutboundUrl(url: string | URL, policy: OutboundPolicy): OutboundUrl {
  const ranges = allowedRanges(policy);
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new OutboundError('InvalidUrl', 'outbound URL is not a valid absolute URL');
  }
  // Named by host only: the URL's path or user-info is none of a reader's business.
  const host = parsed.host;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new OutboundError('SchemeRefused', `host ${JSON.stringify(host)}: scheme ${parsed.protocol.slice(0, -1)} is refused; only https${policy.allowHttp ? ' and http are' : ' is'} allowed`);
  }
  if (!parsed.hostname) throw new OutboundError('InvalidUrl', 'outbound URL has no host');
  if (parsed.protocol === 'http:' && !policy.allowHttp) {
    throw new OutboundError('SchemeRefused', `host ${JSON.stringify(host)}: plain http is refused by the outbound policy; use https`);
  }
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const destination: OutboundUrl = { url: parsed, origin: parsed.origin, hostname, port };
  const literal = parseIp(hostname);
  if (literal) {
    refuseIfSpecial(host, literal, undefined, ranges);
    destination.literal = formatIp(literal);
  }
  return destination;
}

/** `checkOutboundUrl`, then every address of a DNS name. Throws `OutboundError`. */
export async function checkOutbound(url: string | URL, policy: OutboundPolicy, options: { lookup?: HostLookup } = {}): Promise<CheckedDestination> {
  const destination = checkOutboundUrl(url, policy);
  if (destination.literal) return { ...destination, addresses: [destination.literal] };
  const host = destination.url.host;
  let answers: string[];
  try {
    answers = await (options.lookup ?? systemLookup)(destination.hostname);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new OutboundError('ResolutionFailed', `host ${JSON.stringify(host)} could not be resolved${code ? ` (${code})` : ''}`, { cause: err });
  }
  const addresses: IpAddress[] = [];
  for (const answer of answers) {
    const address = parseIp(answer);
    if (!address) throw new OutboundError('ResolutionFailed', `host ${JSON.stringify(host)} resolved to ${JSON.stringify(answer)}, which is not an IP address`);
    if (!addresses.some((known) => formatIp(known) === formatIp(address))) addresses.push(address);
  }
  if (addresses.length === 0) throw new OutboundError('ResolutionFailed', `host ${JSON.stringify(host)} has no address`);
  const ranges = allowedRanges(policy);
  for (const address of addresses) refuseIfSpecial(host, address, addresses.length, ranges);
  return { ...destination, addresses: addresses.map(formatIp) };
}

function refuseIfSpecial(host: string, address: IpAddress, resolvedCount: number | undefined, ranges: Cidr[]): void {
  const special = classifyAddress(address);
  if (!special) return;
  const embedded = embeddedIpv4(address)?.ipv4;
  if (ranges.some((range) => cidrContains(range, address) || (embedded !== undefined && cidrContains(range, embedded)))) return;
  const text = formatIp(address);
  const what = resolvedCount === undefined ? `host ${JSON.stringify(host)} is ${describe(text, special)}`
    : `host ${JSON.stringify(host)} resolves to ${describe(text, special)}${resolvedCount > 1 ? ` (one of its ${resolvedCount} addresses)` : ''}`;
  throw new OutboundError('AddressRefused', `${what}, which outbound calls may not reach unless the policy's allowCidrs contains it`);
}

function describe(address: string, special: ClassifiedAddress): string {
  const kind = `${/^[aeiou]/.test(special.class) ? 'an' : 'a'} ${special.class} address (${special.range}${isMetadata(special, address) ? ', the cloud metadata address' : ''})`;
  if (!special.embedded) return `${address}, ${kind}`;
  return `${address}, the ${special.embedded.form} form of ${special.embedded.ipv4}, ${kind}`;
}

function isMetadata(special: ClassifiedAddress, address: string): boolean {
  const ipv4 = special.embedded?.ipv4 ?? address;
  return ipv4 === '169.254.169.254' || ipv4 === '192.0.0.192';
}
