// Address ranges written as CIDRs (`10.0.0.0/8`, `fc00::/7`). An IPv4 range also contains the IPv4-mapped
// IPv6 form of its addresses: `::ffff:127.0.0.1` is 127.0.0.1 to any dual-stack socket.
import { IpAddress, parseIp, samePrefix } from './ip-address';

export interface Cidr {
  text: string;
  network: IpAddress;
  bits: number;
}

/** The range, or `undefined` when the text is not `<address>/<prefix length>`. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const network = parseIp(match[1]);
  const bits = Number(match[2]);
  if (!network || bits > network.bytes.length * 8) return undefined;
  return { text: text.trim(), network, bits };
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.network.family === address.family) return samePrefix(cidr.network.bytes, address.bytes, cidr.bits);
  const mapped = address.family === 6 ? ipv4Mapped(address) : undefined;
  return mapped !== undefined && cidr.network.family === 4 && samePrefix(cidr.network.bytes, mapped.bytes, cidr.bits);
}

const MAPPED_PREFIX = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/** The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else `undefined`. */
export function ipv4Mapped(address: IpAddress): IpAddress | undefined {
  if (address.family !== 6 || !samePrefix(address.bytes, Uint8Array.from([...MAPPED_PREFIX, 0, 0, 0, 0]), 96)) return undefined;
  return { family: 4, bytes: address.bytes.slice(12) };
}
