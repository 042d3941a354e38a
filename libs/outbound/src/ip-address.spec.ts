import { formatIp, parseIp, samePrefix } from './ip-address';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]],
    ['::ffff:7f00:1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]],
    ['0:0:0:0:0:ffff:7f00:0001', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]],
    ['fe80::1:2', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]],
    ['2001:db8::', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ])('reads %j as its bytes', (text, bytes) => {
    expect(Array.from(parseIp(text)!.bytes)).toEqual(bytes);
  });

  it.each(['example.com', '[::1]', 'fe80::1%eth0', '0x7f.1', '2852039166', '1.2.3', '', '::ffff:1.2.3.4.5'])('is not an address: %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('formatIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'], ['0:0:0:0:0:0:0:1', '::1'], ['::ffff:127.0.0.1', '::ffff:7f00:1'], ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], ['::', '::'],
  ])('writes %j as %j, the form URL parsing gives', (text, canonical) => {
    expect(formatIp(parseIp(text)!)).toBe(canonical);
    if (text.includes(':')) expect(new URL(`http://[${text}]/`).hostname).toBe(`[${canonical}]`);
  });
});

describe('samePrefix', () => {
  it('compares only the first bits, including a partial byte', () => {
    const a = parseIp('172.16.0.1')!.bytes;
    expect(samePrefix(a, parseIp('172.31.255.255')!.bytes, 12)).toBe(true);
    expect(samePrefix(a, parseIp('172.32.0.0')!.bytes, 12)).toBe(false);
    expect(samePrefix(a, parseIp('9.9.9.9')!.bytes, 0)).toBe(true);
    expect(samePrefix(a, parseIp('::1')!.bytes, 0)).toBe(false);
  });
});
