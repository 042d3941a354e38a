// A notifier is a Secret in the project namespace labelled `keelson.dev/notifier=true`; its name is the
// notifier's name (what `.devops.yml` names in `notification.recipients[].notifier`), its keys say where
// messages go. Everything in it is treated as secret: robot URLs carry their token in the query.

export const NOTIFIER_LABEL = 'keelson.dev/notifier';
export const NOTIFIER_TYPES = ['slack', 'webhook', 'dingtalk', 'wecom', 'smtp'] as const;
export type NotifierType = (typeof NOTIFIER_TYPES)[number];

export const SMTP_TLS_MODES = ['implicit', 'starttls', 'none'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

export type NotifierConfig =
  | { type: 'slack'; url: string }
  | { type: 'webhook'; url: string; secret?: string }
  | { type: 'dingtalk'; url: string; secret?: string }
  | { type: 'wecom'; url: string }
  | { type: 'smtp'; host: string; port: number; from: string; tls: SmtpTlsMode; username?: string; password?: string };

export interface Notifier {
  name: string;
  config: NotifierConfig;
}

/** The robot endpoint of a WeCom key, as WeCom documents it. */
export const WECOM_WEBHOOK_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';

export class NotifierConfigError extends Error {
  readonly name = 'NotifierConfigError';
}

/**
 * The notifier of a Secret's (decoded) data. Throws `NotifierConfigError` naming the Secret and the key, never a
 * value.
 */
export function parseNotifier(name: string, data: Readonly<Record<string, string>>): Notifier {
  const fail = (problem: string): never => {
    throw new NotifierConfigError(`notifier Secret ${name}: ${problem}`);
  };
  const get = (key: string): string | undefined => {
    const value = data[key]?.trim();
    return value ? value : undefined;
  };
  const required = (key: string, why: string): string => get(key) ?? fail(`key "${key}" is missing (${why})`);
  const httpUrl = (key: string): string => {
    const raw = required(key, 'the URL messages are posted to');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail(`key "${key}" is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`key "${key}" must be an http(s) URL`);
    if (url.username || url.password) fail(`key "${key}" must not carry user info`);
    return raw;
  };
  const type = get('type');
  if (!type) return fail(`key "type" is missing (one of ${NOTIFIER_TYPES.join(', ')})`);
  switch (type) {
    case 'slack':
      return { name, config: { type, url: httpUrl('url') } };
    case 'webhook':
    case 'dingtalk':
      return { name, config: { type, url: httpUrl('url'), ...(get('secret') ? { secret: get('secret') } : {}) } };
    case 'wecom': {
      if (get('url')) return { name, config: { type, url: httpUrl('url') } };
      const key = required('key', 'the robot key, or give "url"');
      return { name, config: { type, url: `${WECOM_WEBHOOK_URL}?key=${encodeURIComponent(key)}` } };
    }
    case 'smtp': {
      const tlsRaw = (get('tls') ?? 'starttls').toLowerCase();
      const tls: SmtpTlsMode | undefined = tlsRaw === 'true' ? 'implicit' : tlsRaw === 'false' ? 'none' : (SMTP_TLS_MODES as readonly string[]).includes(tlsRaw) ? tlsRaw as SmtpTlsMode : undefined;
      if (!tls) return fail(`key "tls" must be one of ${SMTP_TLS_MODES.join(', ')} (or true, false)`);
      const portRaw = get('port');
      const port = portRaw === undefined ? (tls === 'implicit' ? 465 : 587) : Number(portRaw);
      if (!Number.isInteger(port) || port < 1 || port > 65535 || (portRaw !== undefined && !/^\d+$/.test(portRaw))) fail('key "port" must be a port number');
      const host = required('host', 'the SMTP server');
      if (!/^[A-Za-z0-9.\-:[\]]+$/.test(host)) fail('key "host" must be a host name or an IP address');
      const from = required('from', 'the sender address');
      if (!isEmailAddress(from)) fail('key "from" must be an email address');
      const username = get('username');
      const password = data.password; // a password may well start or end with a space
      if (password && !username) fail('key "password" is set without "username"');
      return { name, config: { type, host, port, from, tls, ...(username ? { username } : {}), ...(password ? { password } : {}) } };
    }
    default:
      return fail(`key "type" must be one of ${NOTIFIER_TYPES.join(', ')}`);
  }
}

/** A plain `local@domain` address: no display name, no spaces, no line breaks. */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(value) && value.length <= 254;
}
