// The body each channel receives for one message. Pure functions: the text is the same everywhere, and each
// channel gets it encoded so that no user text (a commit message, a branch, the config's `message`) can turn
// into markup: Slack's control characters are escaped, the Chinese robots get the plain `text` message type
// (not markdown), and everything is JSON-encoded by the serialiser, never by hand.
import type { NotificationMessage } from './notification-message';

/** Slack reads `&`, `<` and `>` as control characters in `text`; the documented escape is their HTML entity. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(message: NotificationMessage, recipient: string): Record<string, unknown> {
  // A legacy incoming webhook honours `channel`; an app's webhook posts to its own channel and ignores it.
  return { text: escapeSlackText(message.text), ...(/^[#@]\S+$/.test(recipient) ? { channel: recipient } : {}) };
}

/** DingTalk's text message; `@all` in the recipient mentions everyone, a phone number mentions that member. */
export function dingTalkPayload(message: NotificationMessage, recipient: string): Record<string, unknown> {
  const mobile = /^\+?\d{5,20}$/.test(recipient) ? [recipient] : [];
  return { msgtype: 'text', text: { content: truncateUtf8(message.text, 18_000) }, at: { isAtAll: recipient === '@all', atMobiles: mobile } };
}

/** WeCom's text message: content of at most 2048 bytes; `@all` mentions everyone, a phone number that member. */
export function weComPayload(message: NotificationMessage, recipient: string): Record<string, unknown> {
  const mentions = recipient === '@all' ? { mentioned_list: ['@all'] } : /^\+?\d{5,20}$/.test(recipient) ? { mentioned_mobile_list: [recipient] } : {};
  return { msgtype: 'text', text: { content: truncateUtf8(message.text, 2048), ...mentions } };
}

/** A generic webhook gets the facts as fields, so a receiver need not parse the text. */
export function webhookPayload(message: NotificationMessage, recipient: string): Record<string, unknown> {
  return { kind: 'keelson.dev/execution-notification', version: 1, recipient, subject: message.subject, text: message.text, execution: message.facts };
}

/** At most `maxBytes` of UTF-8, cut at a character boundary, marked with an ellipsis when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}
