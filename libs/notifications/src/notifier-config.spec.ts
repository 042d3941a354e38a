import { parseNotifier } from './notifier-config';

describe('parseNotifier', () => {
  it('reads each notifier type from its Secret keys', () => {
    expect(parseNotifier('ci', { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }).config).toEqual({ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' });
    expect(parseNotifier('ding', { type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx' }).config)
      .toEqual({ type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx' });
    expect(parseNotifier('wc', { type: 'wecom', key: 'a b/c' }).config).toEqual({ type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a%20b%2Fc' });
    expect(parseNotifier('mail', { type: 'smtp', host: 'smtp.example.com', from: 'ci@example.com', username: 'u', password: ' p ' }).config)
      .toEqual({ type: 'smtp', host: 'smtp.example.com', port: 587, from: 'ci@example.com', tls: 'starttls', username: 'u', password: ' p ' });
    expect(parseNotifier('mail', { type: 'smtp', host: 'smtp.example.com', from: 'ci@example.com', tls: 'true' }).config).toMatchObject({ tls: 'implicit', port: 465 });
  });

  it('names the Secret and the key that is wrong, never a value', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /notifier Secret n: key "type" is missing/],
      [{ type: 'teams' }, /key "type" must be one of slack, webhook, dingtalk, wecom, smtp/],
      [{ type: 'slack' }, /key "url" is missing/],
      [{ type: 'webhook', url: 'ftp://x/secret-token' }, /key "url" must be an http\(s\) URL/],
      [{ type: 'webhook', url: 'https://user:hunter2@x/' }, /key "url" must not carry user info/],
      [{ type: 'smtp', host: 'h', from: 'ci@example.com', port: '99999' }, /key "port" must be a port number/],
      [{ type: 'smtp', host: 'h', from: 'not an address' }, /key "from" must be an email address/],
      [{ type: 'smtp', host: 'h', from: 'a@b.c', tls: 'maybe' }, /key "tls" must be one of/],
      [{ type: 'smtp', host: 'h', from: 'a@b.c', password: 'hunter2' }, /"password" is set without "username"/],
    ];
    for (const [data, expected] of cases) {
      expect(() => parseNotifier('n', data)).toThrow(expected);
      try {
        parseNotifier('n', data);
      } catch (err) {
        expect((err as Error).message).not.toMatch(/hunter2|secret-token/);
      }
    }
  });
});
