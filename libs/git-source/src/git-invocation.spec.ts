import { curlResolveEntry, gitEnv, globalArgs } from './git-invocation';

const config = (args: string[]) => args.filter((_, i) => args[i - 1] === '-c');

describe('globalArgs', () => {
  const auth = { username: 'ci', password: 'tok3n-never-in-argv' };

  it('never follows redirects and pins the host to the checked addresses', () => {
    const args = config(globalArgs({ allowFileProtocol: false, auth, destination: { origin: 'https://git.example.com', pin: 'git.example.com:443:140.82.112.3' } }));
    expect(args).toContain('http.followRedirects=false');
    expect(args).toContain('http.curloptResolve=git.example.com:443:140.82.112.3');
  });

  it('binds the credential helper to the repository\'s origin, after resetting any other helper', () => {
    const args = config(globalArgs({ allowFileProtocol: false, auth, destination: { origin: 'https://git.example.com:8443' } }));
    const helpers = args.filter((a) => a.startsWith('credential.'));
    expect(helpers[0]).toBe('credential.helper=');
    expect(helpers).toHaveLength(2);
    expect(helpers[1]).toMatch(/^credential\.https:\/\/git\.example\.com:8443\.helper=!f\(\)/);
    expect(args.some((a) => a.startsWith('http.curloptResolve'))).toBe(false);
  });

  it('gives no helper at all without credentials, and never puts the password in an argument', () => {
    const anonymous = config(globalArgs({ allowFileProtocol: false, auth: undefined, destination: { origin: 'https://git.example.com' } }));
    expect(anonymous.filter((a) => a.startsWith('credential.'))).toEqual(['credential.helper=']);
    expect(globalArgs({ allowFileProtocol: false, auth, destination: { origin: 'https://git.example.com' } }).join(' ')).not.toContain(auth.password);
    expect(gitEnv(auth).KEELSON_GIT_PASSWORD).toBe(auth.password);
  });
});

describe('curlResolveEntry', () => {
  it('writes host:port:addresses with IPv6 addresses in brackets', () => {
    expect(curlResolveEntry('github.com', 443, ['140.82.112.3', '2606:50c0:8000::153'])).toBe('github.com:443:140.82.112.3,[2606:50c0:8000::153]');
  });
});
