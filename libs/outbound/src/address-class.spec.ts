import fc from 'fast-check';
import { classifyAddress } from './address-class';
import { formatIp, parseIp } from './ip-address';

const classOf = (text: string) => classifyAddress(parseIp(text)!)?.class;

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'], ['100.127.255.255', 'private'], ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['fec0::1', 'private'],
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'], ['192.0.0.192', 'reserved'], ['198.18.0.1', 'reserved'], ['::7f00:1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(classOf(address)).toBe(expected);
  });

  it.each(['8.8.8.8', '1.1.1.1', '140.82.112.3', '172.32.0.1', '172.15.255.255', '100.63.255.255', '100.128.0.0', '169.253.255.255',
    '2606:4700:4700::1111', '2001:4860:4860::8888', 'fbff::1', 'fe7f::1', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is public', (address) => {
    expect(classifyAddress(parseIp(address)!)).toBeUndefined();
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback', 'IPv4-mapped'], ['::ffff:a9fe:a9fe', 'link-local', 'IPv4-mapped'], ['::ffff:10.1.2.3', 'private', 'IPv4-mapped'],
    ['::ffff:0.0.0.0', 'unspecified', 'IPv4-mapped'], ['64:ff9b::7f00:1', 'loopback', 'NAT64'], ['64:ff9b::a9fe:a9fe', 'link-local', 'NAT64'],
    ['2002:a9fe:a9fe::1', 'link-local', '6to4'], ['2002:c0a8:101::', 'private', '6to4'],
  ])('judges %s by the IPv4 address it carries (%s, %s)', (address, expected, form) => {
    const classified = classifyAddress(parseIp(address)!);
    expect(classified).toMatchObject({ class: expected, embedded: { form } });
  });

  it('names the range an address fell in', () => {
    expect(classifyAddress(parseIp('169.254.169.254')!)).toEqual({ class: 'link-local', range: '169.254.0.0/16' });
    expect(classifyAddress(parseIp('::ffff:127.0.0.1')!)).toEqual({ class: 'loopback', range: '127.0.0.0/8', embedded: { form: 'IPv4-mapped', ipv4: '127.0.0.1' } });
  });

  it('gives every IPv4 address and its IPv4-mapped IPv6 form the same class', () => {
    fc.assert(fc.property(fc.ipV4(), (v4) => {
      const mapped = classifyAddress(parseIp(`::ffff:${v4}`)!);
      expect(mapped?.class).toBe(classifyAddress(parseIp(v4)!)?.class);
    }));
  });

  it('agrees with URL parsing: a host URL parsing writes differently is still the same address', () => {
    fc.assert(fc.property(fc.ipV6(), (v6) => {
      const hostname = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
      expect(formatIp(parseIp(v6)!)).toBe(hostname);
      expect(classifyAddress(parseIp(hostname)!)).toEqual(classifyAddress(parseIp(v6)!));
    }));
  });
});
