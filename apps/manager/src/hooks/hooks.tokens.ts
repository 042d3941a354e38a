export const WEBHOOK_INTAKE = Symbol('WebhookIntake');
export const WEBHOOK_SECRETS = Symbol('WebhookSecrets');
export const DELIVERY_LOG = Symbol('DeliveryLog');
