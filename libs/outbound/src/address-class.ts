// Which addresses an outbound call must not reach unless the operator allows them: everything that is not the
// public internet. A token sent to one of these reaches the node itself, the cluster's network or the cloud's
// metadata service (169.254.169.254, and 192.0.0.192 on some clouds) instead of a git provider.
import { Cidr, ipv4Mapped, parseCidr } from './cidr';
import { cidrContains } from './cidr';
import { IpAddress, formatIp } from './ip-address';

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'broadcast' | 'reserved';

export interface ClassifiedAddress {
  class: AddressClass;
  /** The special range it fell in, e.g. `169.254.0.0/16`. */
  range: string;
  /** For an IPv6 form that carries an IPv4 address (mapped, NAT64, 6to4): which form, and the IPv4 address. */
  embedded?: { form: string; ipv4: string };
}

// First match wins: broadcast before the reserved 240.0.0.0/4 that contains it.
const RANGES: Array<[string, AddressClass]> = [
  ['0.0.0.0/8', 'unspecified'], // "this network"; Linux connects 0.0.0.0 to the local host
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'], // shared address space (carrier-grade NAT), used by some clusters
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // includes the metadata address 169.254.169.254
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments; 192.0.0.192 is a cloud metadata address
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];
const TABLE: Array<[Cidr, AddressClass]> = RANGES.map(([text, kind]) => [parseCidr(text)!, kind]);

const NAT64 = parseCidr('64:ff9b::/96')!;
const SIX_TO_FOUR = parseCidr('2002::/16')!;

/** The special class of an address, or `undefined` for a public one. IPv6 forms carrying IPv4 are judged by it. */
export function classifyAddress(address: IpAddress): ClassifiedAddress | undefined {
  const embedded = embeddedIpv4(address);
  if (embedded) {
    const inner = classifyAddress(embedded.ipv4);
    return inner && { ...inner, embedded: { form: embedded.form, ipv4: formatIp(embedded.ipv4) } };
  }
  const hit = TABLE.find(([cidr]) => cidrContains(cidr, address));
  return hit && { class: hit[1], range: hit[0].text };
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that a host or gateway turns into IPv4. */
export function embeddedIpv4(address: IpAddress): { form: string; ipv4: IpAddress } | undefined {
  if (address.family !== 6) return undefined;
  const mapped = ipv4Mapped(address);
  if (mapped) return { form: 'IPv4-mapped', ipv4: mapped };
  if (cidrContains(NAT64, address)) return { form: 'NAT64', ipv4: { family: 4, bytes: address.bytes.slice(12) } };
  if (cidrContains(SIX_TO_FOUR, address)) return { form: '6to4', ipv4: { family: 4, bytes: address.bytes.slice(2, 6) } };
  return undefined;
}
