export * from './webhook-event';
export { detectProvider, deliveryId, eventName, header, type Headers } from './provider-detect';
export { verifySignature, equalInConstantTime, type SignatureVerdict } from './signature';
export { decodeBody } from './body';
export { parseDelivery } from './parse-delivery';
export { isPipelineRepository, repositoryIdentity } from './repository-identity';
export { triggerVerdict, type PipelineTriggers, type EventTrigger, type TriggerFilter, type TriggerVerdict } from './trigger-match';
export { semanticDigest, semanticKey } from './semantic-key';
