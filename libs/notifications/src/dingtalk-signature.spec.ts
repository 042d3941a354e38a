import { dingTalkSignature, signedDingTalkUrl } from './dingtalk-signature';

// DingTalk's documentation gives the algorithm with the secret "this is secret" and the current time; the
// expected values below were computed independently for a fixed timestamp, with
// `printf '%s\n%s' 1700000000000 'this is secret' | openssl dgst -sha256 -hmac 'this is secret' -binary | base64`
// and with Python's hmac + base64 + urllib.parse.quote_plus, as DingTalk's Python sample does.
describe('DingTalk robot signing', () => {
  it('signs timestamp + newline + secret with HMAC-SHA256 keyed by the secret, Base64-encoded', () => {
    expect(dingTalkSignature(1700000000000, 'this is secret')).toBe('sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=');
    expect(dingTalkSignature(1700000000000, 'SECd5a6c2c0b3e5f1f0b7a4d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2')).toBe('XTdYg5pIcHnm7AZESDcFvn8wzXPIJBY/s5vWkfn+az0=');
  });

  it('adds timestamp and the URL-encoded sign to the robot URL, keeping its access token', () => {
    const url = signedDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SECd5a6c2c0b3e5f1f0b7a4d1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2', 1700000000000);
    expect(url).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=XTdYg5pIcHnm7AZESDcFvn8wzXPIJBY%2Fs5vWkfn%2Baz0%3D');
    expect(new URL(url).searchParams.get('sign')).toBe('XTdYg5pIcHnm7AZESDcFvn8wzXPIJBY/s5vWkfn+az0=');
  });
});
