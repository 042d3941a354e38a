export const WEBHOOK_INTAKE = Symbol('WebhookIntake');
export const WEBHOOK_SECRETS = Symbol('WebhookSecrets');
export const DELIVERY_LOG = Symbol('DeliveryLog');
export const REGISTRY_INTAKE = Symbol('RegistryIntake');
export const REGISTRY_HOOK_TOKENS = Symbol('RegistryHookTokens');
