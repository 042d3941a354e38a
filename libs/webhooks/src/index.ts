export * from './webhook-event';
export { detectProvider, deliveryId, eventName, header, type Headers } from './provider-detect';
export { verifySignature, equalInConstantTime, type SignatureVerdict } from './signature';
export { decodeBody } from './body';
export { parseDelivery } from './parse-delivery';
export { isPipelineRepository, repositoryIdentity } from './repository-identity';
export {
  triggerVerdict, imagePushVerdict, type PipelineTriggers, type EventTrigger, type ImagePushTrigger, type TriggerFilter, type TriggerVerdict,
} from './trigger-match';
export { semanticDigest, semanticKey, imageSemanticDigest } from './semantic-key';
export type { ImagePushEvent, IgnoredRegistryEvent, RegistryEvent } from './registry/registry-event';
export {
  parseRegistryEnvelope, isRegistryEnvelopeType, REGISTRY_ENVELOPE_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, MAX_EVENTS_PER_ENVELOPE,
} from './registry/registry-envelope';
export { verifyRegistryToken } from './registry/registry-token';
