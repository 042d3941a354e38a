// Errors of delivering one notification. Messages name the notifier, its type and the host at most: never a
// robot URL (its path or query holds the token), a password or a signing secret.

export const NOTIFICATION_ERROR_CODES = [
  'NotifierInvalid', // the notifier Secret is missing a key, or a key has a value we cannot use
  'Refused', // the outbound policy refused the destination; nothing was sent
  'Rejected', // the receiver answered that it will not take this message (4xx, a robot's errcode)
  'Unavailable', // no answer, a timeout or a 5xx: worth another attempt
] as const;
export type NotificationErrorCode = (typeof NOTIFICATION_ERROR_CODES)[number];

export class NotificationError extends Error {
  constructor(
    readonly code: NotificationErrorCode,
    message: string,
    readonly retryable: boolean = code === 'Unavailable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NotificationError';
  }
}
