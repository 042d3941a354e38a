// Notifications of finished runs through a project's notifiers (Secrets), and the only lib that imports nodemailer.
export { NotificationError, NOTIFICATION_ERROR_CODES, type NotificationErrorCode } from './notification.errors';
export {
  parseNotifier, isEmailAddress, NotifierConfigError, NOTIFIER_LABEL, NOTIFIER_TYPES, SMTP_TLS_MODES, WECOM_WEBHOOK_URL,
  type Notifier, type NotifierConfig, type NotifierType, type SmtpTlsMode,
} from './notifier-config';
export { notificationMessage, shortCommit, type NotificationMessage, type RunFacts } from './notification-message';
export { escapeSlackText, slackPayload, dingTalkPayload, weComPayload, webhookPayload, truncateUtf8 } from './channel-payloads';
export { dingTalkSignature, signedDingTalkUrl } from './dingtalk-signature';
export { sendNotification, WEBHOOK_SIGNATURE_HEADER, type SendOptions } from './notifier-sender';
export { postJson, pinnedLookup, checkDestination, type HttpAnswer, type HttpPostOptions } from './pinned-http';
