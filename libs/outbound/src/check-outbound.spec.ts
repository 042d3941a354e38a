import { checkOutbound, checkOutboundUrl, type HostLookup } from './check-outbound';
import { OutboundError } from './outbound.errors';
import { STRICT_OUTBOUND_POLICY, type OutboundPolicy } from './outbound-policy';

const LOCAL: OutboundPolicy = { allowHttp: true, allowCidrs: ['127.0.0.0/8'] };

/** A resolver answering from a table, recording what it was asked. */
function dns(table: Record<string, string[]>): HostLookup & { asked: string[] } {
  const asked: string[] = [];
  return Object.assign(async (hostname: string) => {
    asked.push(hostname);
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  }, { asked });
}

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('checkOutbound', () => {
  it('accepts an https host whose every address is public, and returns them to pin', async () => {
    const lookup = dns({ 'github.com': ['140.82.112.3', '2606:50c0:8000::153', '140.82.112.3'] });
    const checked = await checkOutbound('https://GitHub.com/acme/app.git', STRICT_OUTBOUND_POLICY, { lookup });
    expect(checked).toMatchObject({ origin: 'https://github.com', hostname: 'github.com', port: 443, addresses: ['140.82.112.3', '2606:50c0:8000::153'] });
    expect(checked.literal).toBeUndefined();
    expect(checked.url.href).toBe('https://github.com/acme/app.git');
    expect(lookup.asked).toEqual(['github.com']);
  });

  it('refuses plain http unless the policy allows it, before asking DNS', async () => {
    const lookup = dns({ 'git.example.com': ['140.82.112.3'] });
    const err = await refusal(checkOutbound('http://git.example.com/a', STRICT_OUTBOUND_POLICY, { lookup }));
    expect(err).toMatchObject({ code: 'SchemeRefused', retryable: false, message: 'host "git.example.com": plain http is refused by the outbound policy; use https' });
    expect(lookup.asked).toEqual([]);
    expect((await checkOutbound('http://git.example.com:8080/a', { allowHttp: true, allowCidrs: [] }, { lookup })).port).toBe(8080);
  });

  it.each(['ftp://example.com/a', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)'])('refuses the scheme of %s', async (url) => {
    expect((await refusal(checkOutbound(url, LOCAL, { lookup: dns({}) }))).code).toBe('SchemeRefused');
  });

  it.each(['not a url', '/relative/path', ''])('refuses %j as no URL', async (url) => {
    expect((await refusal(checkOutbound(url, LOCAL, { lookup: dns({}) }))).code).toBe('InvalidUrl');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://2852039166/', '169.254.169.254', 'link-local'],
    ['http://0xa9fea9fe/', '169.254.169.254', 'link-local'],
    ['http://0251.0376.0251.0376/', '169.254.169.254', 'link-local'],
    ['http://[::ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe', 'link-local'],
    ['http://127.0.0.1:8080/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://127.1/', '127.0.0.1', 'loopback'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://[::1]/', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', '::ffff:7f00:1', 'loopback'],
    ['http://0/', '0.0.0.0', 'unspecified'],
    ['http://[::]/', '::', 'unspecified'],
    ['http://10.0.0.5/', '10.0.0.5', 'private'],
    ['http://172.20.1.1/', '172.20.1.1', 'private'],
    ['http://192.168.0.1/', '192.168.0.1', 'private'],
    ['http://100.64.1.1/', '100.64.1.1', 'private'],
    ['http://[fd00::1]/', 'fd00::1', 'private'],
    ['http://[fe80::1]/', 'fe80::1', 'link-local'],
    ['http://224.0.0.251/', '224.0.0.251', 'multicast'],
    ['http://[ff02::1]/', 'ff02::1', 'multicast'],
    ['http://255.255.255.255/', '255.255.255.255', 'broadcast'],
  ])('refuses the literal host of %s (%s, %s) without DNS', async (url, address, kind) => {
    const lookup = dns({});
    const err = await refusal(checkOutbound(url, { allowHttp: true, allowCidrs: [] }, { lookup }));
    expect(err.code).toBe('AddressRefused');
    expect(err.message).toContain(`is ${address}, `);
    expect(err.message).toContain(`${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address`);
    expect(lookup.asked).toEqual([]);
  });

  it('says which address was the metadata service, and which IPv4 address a mapped form stands for', async () => {
    const policy = { allowHttp: true, allowCidrs: [] };
    expect((await refusal(checkOutbound('http://2852039166/', policy))).message).toBe(
      'host "169.254.169.254" is 169.254.169.254, a link-local address (169.254.0.0/16, the cloud metadata address), which outbound calls may not reach unless the policy\'s allowCidrs contains it',
    );
    expect((await refusal(checkOutbound('http://[::ffff:127.0.0.1]:9418/', policy))).message).toBe(
      'host "[::ffff:7f00:1]:9418" is ::ffff:7f00:1, the IPv4-mapped form of 127.0.0.1, a loopback address (127.0.0.0/8), which outbound calls may not reach unless the policy\'s allowCidrs contains it',
    );
  });

  it('refuses a name when any one of its addresses is refused, IPv4 or IPv6', async () => {
    const lookup = dns({
      'mixed.example': ['140.82.112.3', '10.0.0.5'],
      'v6.example': ['2606:50c0:8000::153', 'fe80::1'],
      'mapped.example': ['::ffff:169.254.169.254'],
      'metadata.example': ['169.254.169.254'],
    });
    const mixed = await refusal(checkOutbound('https://mixed.example/a', STRICT_OUTBOUND_POLICY, { lookup }));
    expect(mixed).toMatchObject({ code: 'AddressRefused', message: expect.stringContaining('host "mixed.example" resolves to 10.0.0.5, a private address (10.0.0.0/8) (one of its 2 addresses)') });
    expect((await refusal(checkOutbound('https://v6.example/a', STRICT_OUTBOUND_POLICY, { lookup }))).message).toContain('resolves to fe80::1, a link-local address (fe80::/10)');
    expect((await refusal(checkOutbound('https://mapped.example/a', STRICT_OUTBOUND_POLICY, { lookup }))).message).toContain('the IPv4-mapped form of 169.254.169.254');
    expect((await refusal(checkOutbound('https://metadata.example/a', STRICT_OUTBOUND_POLICY, { lookup }))).message).toContain('the cloud metadata address');
  });

  it('lets allowCidrs open exactly the ranges it names, IPv4-mapped forms included', async () => {
    const lookup = dns({ 'git.corp': ['10.1.2.3'], 'both.local': ['127.0.0.1', '::1'] });
    const policy = { allowHttp: true, allowCidrs: ['127.0.0.0/8', '10.1.0.0/16'] };
    expect((await checkOutbound('http://127.0.0.1:8080/a', policy, { lookup })).addresses).toEqual(['127.0.0.1']);
    expect((await checkOutbound('http://[::ffff:127.0.0.1]/a', policy, { lookup })).addresses).toEqual(['::ffff:7f00:1']);
    expect((await checkOutbound('https://git.corp/a', policy, { lookup })).addresses).toEqual(['10.1.2.3']);
    expect((await refusal(checkOutbound('http://10.2.0.1/a', policy, { lookup }))).code).toBe('AddressRefused');
    expect((await refusal(checkOutbound('http://169.254.169.254/', policy, { lookup }))).code).toBe('AddressRefused');
    // IPv6 loopback is another range: 127.0.0.0/8 does not open it.
    expect((await refusal(checkOutbound('http://both.local/a', policy, { lookup }))).message).toContain('resolves to ::1, a loopback address (::1/128)');
    expect((await checkOutbound('http://both.local/a', { ...policy, allowCidrs: [...policy.allowCidrs, '::1/128'] }, { lookup })).addresses).toEqual(['127.0.0.1', '::1']);
    expect((await checkOutbound('http://[fe80::5]/', { allowHttp: true, allowCidrs: ['fe80::/10'] }, { lookup })).literal).toBe('fe80::5');
  });

  it('refuses a policy whose allowCidrs holds something that is not a CIDR, naming it', async () => {
    const err = await refusal(checkOutbound('https://github.com/', { allowHttp: false, allowCidrs: ['127.0.0.0/8', 'localhost', '10.0.0.0/33'] }, { lookup: dns({}) }));
    expect(err).toMatchObject({ code: 'InvalidPolicy', message: 'allowCidrs: "localhost", "10.0.0.0/33" are not CIDRs (such as 127.0.0.0/8 or ::1/128)' });
  });

  it('reports a name DNS does not know as a retryable ResolutionFailed naming the host', async () => {
    const err = await refusal(checkOutbound('https://nowhere.example/a', STRICT_OUTBOUND_POLICY, { lookup: dns({ 'empty.example': [] }) }));
    expect(err).toMatchObject({ code: 'ResolutionFailed', retryable: true, message: 'host "nowhere.example" could not be resolved (ENOTFOUND)' });
    expect((await refusal(checkOutbound('https://empty.example/a', STRICT_OUTBOUND_POLICY, { lookup: dns({ 'empty.example': [] }) }))).message).toBe('host "empty.example" has no address');
  });

  it('never repeats the user-info or the path of the URL', async () => {
    const url = 'http://alice:s3cr3t-t0ken@169.254.169.254/private-path?token=q5';
    for (const policy of [STRICT_OUTBOUND_POLICY, { allowHttp: true, allowCidrs: [] }]) {
      const err = await refusal(checkOutbound(url, policy));
      expect(err.message).not.toMatch(/s3cr3t|alice|private-path|q5/);
    }
  });

  it('asks the system resolver by default, so localhost is refused as loopback', async () => {
    const err = await refusal(checkOutbound('https://localhost/a', STRICT_OUTBOUND_POLICY));
    expect(err.code).toBe('AddressRefused');
    expect(err.message).toMatch(/^host "localhost" resolves to (127\.0\.0\.1|::1), a loopback address/);
  });
});

describe('checkOutboundUrl', () => {
  it('checks the scheme and a literal host without DNS, leaving names to checkOutbound', () => {
    expect(checkOutboundUrl('https://git.example.com:8443/a', STRICT_OUTBOUND_POLICY)).toMatchObject({ origin: 'https://git.example.com:8443', hostname: 'git.example.com', port: 8443 });
    expect(checkOutboundUrl('http://127.0.0.1:3000/a', LOCAL)).toMatchObject({ literal: '127.0.0.1', port: 3000 });
    expect(() => checkOutboundUrl('http://git.example.com/a', STRICT_OUTBOUND_POLICY)).toThrow(OutboundError);
    expect(() => checkOutboundUrl('https://[::1]/a', STRICT_OUTBOUND_POLICY)).toThrow(/loopback/);
  });
});
