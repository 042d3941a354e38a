// DingTalk's signed custom robots ("加签"): the string to sign is `timestamp + "\n" + secret`, signed with
// HMAC-SHA256 keyed by the secret, Base64-encoded, then URL-encoded; `timestamp` (milliseconds) and `sign` go in
// the robot URL's query, and DingTalk refuses a timestamp more than an hour off.
// (open.dingtalk.com, custom robot security settings.)
import { createHmac } from 'node:crypto';

/** The Base64 signature (not yet URL-encoded). */
export function dingTalkSignature(timestampMs: number, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The robot URL with `timestamp` and `sign` added to its query. */
export function signedDingTalkUrl(robotUrl: string, secret: string, timestampMs: number): string {
  const url = new URL(robotUrl);
  url.searchParams.set('timestamp', String(timestampMs));
  url.searchParams.set('sign', dingTalkSignature(timestampMs, secret));
  return url.toString();
}
