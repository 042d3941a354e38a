// IP addresses as bytes (4 or 16), so that ranges are compared bit by bit and not as text: `::ffff:7f00:1`,
// `::ffff:127.0.0.1` and `0:0:0:0:0:ffff:7f00:0001` are one address.
import { isIP } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** The address, or `undefined` when the text is not a plain IPv4 (dotted quad) or IPv6 literal (no brackets, no zone). */
export function parseIp(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family, bytes: Uint8Array.from(text.split('.').map(Number)) };
  if (family !== 6 || text.includes('%')) return undefined;
  return { family, bytes: parseIpv6(text) };
}

function parseIpv6(text: string): Uint8Array {
  // isIP has vetted the text: at most one `::`, hex groups, and an optional dotted quad at the end.
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = text.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 as Node prints it. */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) return Array.from(address.bytes).join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((address.bytes[i] << 8) | address.bytes[i + 1]).toString(16));
  // The longest run of two or more zero groups becomes `::`.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return words.join(':');
  return `${words.slice(0, best.start).join(':')}::${words.slice(best.start + best.length).join(':')}`;
}

/** True when the first `bits` bits of both addresses (same family) are equal. */
export function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((a[i / 8] & mask) !== (b[i / 8] & mask)) return false;
  }
  return true;
}
