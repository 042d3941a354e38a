import { CookieJar } from './cookie-jar';

function response(...setCookies: string[]): Response {
  const headers = new Headers();
  for (const c of setCookies) headers.append('Set-Cookie', c);
  return new Response(null, { headers });
}

describe('CookieJar', () => {
  it('sends back what was set, the latest value winning, without attributes', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(response('i_like_gitea=abc; Path=/; HttpOnly; SameSite=Lax', 'lang=en-US; Path=/; Max-Age=2147483647'));
    jar.store(response('i_like_gitea=def=; Path=/'));
    expect(jar.header()).toBe('i_like_gitea=def=; lang=en-US');
    expect(jar.get('lang')).toBe('en-US');
  });

  it('drops a cookie deleted by Max-Age=0 or a past Expires', () => {
    const jar = new CookieJar();
    jar.store(response('a=1', 'b=2', 'c=3'));
    jar.store(response('a=; Max-Age=0', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'c=4; Expires=Fri, 01 Jan 2100 00:00:00 GMT'));
    expect(jar.header()).toBe('c=4');
  });
});
