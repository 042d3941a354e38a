// Sends one message through one notifier to one recipient. Each attempt is one request (or one SMTP
// conversation); retries are the queue's business. Failures are `NotificationError`s whose messages never
// contain a robot URL, a password or a signing secret.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { HostLookup, OutboundPolicy } from '@keelson/outbound';
import { dingTalkPayload, slackPayload, weComPayload, webhookPayload } from './channel-payloads';
import { signedDingTalkUrl } from './dingtalk-signature';
import type { NotificationMessage } from './notification-message';
import { NotificationError } from './notification.errors';
import { isEmailAddress, type Notifier, type NotifierConfig } from './notifier-config';
import { checkDestination, postJson, requireSuccess, type HttpAnswer } from './pinned-http';

export interface SendOptions {
  policy: OutboundPolicy;
  /** Per attempt. */
  timeoutMs?: number;
  lookup?: HostLookup;
  now?: () => number;
}

/** Header of a signed generic webhook: `sha256=<hex HMAC-SHA256 of the body, keyed by the notifier's secret>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-keelson-signature-256';

/** Robot errcodes that mean "too fast, later" rather than "never": DingTalk 130101, WeCom 45009. */
const THROTTLED_ERRCODES: ReadonlySet<number> = new Set([130101, 45009]);

export async function sendNotification(notifier: Notifier, recipient: string, message: NotificationMessage, options: SendOptions): Promise<void> {
  const what = `notifier ${notifier.name} (${notifier.config.type})`;
  const http = { policy: options.policy, timeoutMs: options.timeoutMs ?? 10_000, lookup: options.lookup };
  const config: NotifierConfig = notifier.config;
  switch (config.type) {
    case 'slack': {
      const answer = await postJson(config.url, slackPayload(message, recipient), http, what);
      return requireSuccess(answer, what, hostOf(config.url));
    }
    case 'webhook': {
      const body = JSON.stringify(webhookPayload(message, recipient));
      const headers: Record<string, string> = config.secret ? { [WEBHOOK_SIGNATURE_HEADER]: `sha256=${createHmac('sha256', config.secret).update(body, 'utf8').digest('hex')}` } : {};
      const answer = await postJson(config.url, body, { ...http, headers }, what);
      return requireSuccess(answer, what, hostOf(config.url));
    }
    case 'dingtalk': {
      const url = config.secret ? signedDingTalkUrl(config.url, config.secret, (options.now ?? Date.now)()) : config.url;
      const answer = await postJson(url, dingTalkPayload(message, recipient), http, what);
      return requireRobotSuccess(answer, what, hostOf(config.url));
    }
    case 'wecom': {
      const answer = await postJson(config.url, weComPayload(message, recipient), http, what);
      return requireRobotSuccess(answer, what, hostOf(config.url));
    }
    case 'smtp':
      return sendMail(config, recipient, message, options, what);
  }
}

/** DingTalk and WeCom answer HTTP 200 with `{errcode, errmsg}`; only errcode 0 is a delivery. */
function requireRobotSuccess(answer: HttpAnswer, what: string, host: string): void {
  requireSuccess(answer, what, host);
  let errcode: unknown;
  let errmsg: unknown;
  try {
    ({ errcode, errmsg } = JSON.parse(answer.body) as { errcode?: unknown; errmsg?: unknown });
  } catch {
    throw new NotificationError('Rejected', `${what}: ${host} answered with a body that is not JSON`, false);
  }
  if (errcode === 0) return;
  const code = typeof errcode === 'number' ? errcode : undefined;
  const said = typeof errmsg === 'string' ? `: ${errmsg.slice(0, 200)}` : '';
  const throttled = code !== undefined && THROTTLED_ERRCODES.has(code);
  throw new NotificationError(throttled ? 'Unavailable' : 'Rejected', `${what}: ${host} refused the message (errcode ${code ?? 'missing'}${said})`, throttled);
}

async function sendMail(config: Extract<NotifierConfig, { type: 'smtp' }>, recipient: string, message: NotificationMessage, options: SendOptions, what: string): Promise<void> {
  if (!isEmailAddress(recipient)) throw new NotificationError('Rejected', `${what}: recipient is not an email address`, false);
  // The server's address is checked like any other destination's (the scheme says nothing for SMTP), and the
  // connection goes to that address with the host name kept for TLS.
  const bracketed = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  const destination = await checkDestination(`http://${bracketed}:${config.port}/`, { ...options.policy, allowHttp: true }, options.lookup, what);
  if (config.password && config.tls === 'none' && !options.policy.allowHttp) {
    throw new NotificationError('Refused', `${what}: a password is not sent to ${destination.url.host} without TLS; set tls to starttls or implicit`, false);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: destination.addresses[0], port: config.port,
    secure: config.tls === 'implicit', requireTLS: config.tls === 'starttls', ignoreTLS: config.tls === 'none',
    tls: { servername: destination.literal ? undefined : destination.hostname },
    ...(config.username ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
    connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
    name: 'keelson', disableFileAccess: true, disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ from: config.from, to: recipient, subject: message.subject, text: message.text, disableFileAccess: true, disableUrlAccess: true });
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    // 5xx from the server is its final word; 4xx, no connection or a timeout is worth another attempt.
    const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
    const said = e.responseCode ? `answered ${e.responseCode}` : `failed (${e.code ?? 'no answer'})`;
    throw new NotificationError(permanent ? 'Rejected' : 'Unavailable', `${what}: ${destination.url.hostname} ${said}`, !permanent, { cause: err });
  } finally {
    transport.close();
  }
}

/** Scheme and host of a robot URL, for messages: the path and query (the token) are left out. */
function hostOf(url: string): string {
  return new URL(url).host;
}
