// Reads a registry notification envelope `{events: [...]}` (CNCF Distribution, docs/about/notifications.md and
// notifications/event.go of v3.1.1): 2.x sends it as `application/vnd.docker.distribution.events.v1+json`,
// 3.x as `...events.v2+json`, with the same event shape. Only a push of a manifest under a tag can start a run;
// blobs, pulls, deletes, mounts and manifests pushed by digest alone (an index's children) are ignored. The
// fields of a tagged manifest push end up in a CR's name, labels and spec, so each is checked and named.
import { createHash } from 'node:crypto';
import { decodeBody } from '../body';
import { WebhookPayloadError } from '../webhook-event';
import type { ImagePushEvent, RegistryEvent } from './registry-event';

export const REGISTRY_ENVELOPE_MEDIA_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
] as const;

/** Manifests that name an image: Docker v2 and v1, Docker manifest lists, OCI manifests and indexes. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

/** A registry sends one event per envelope; a body with more than this many is not a registry's. */
export const MAX_EVENTS_PER_ENVELOPE = 100;

/** distribution/reference: path components of lower-case alphanumerics joined by `.`, `_`, `__` or dashes, split by `/`. */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const MAX_REPOSITORY = 255;
const TAG = /^\w[\w.-]{0,127}$/;
/** OCI image-spec digest grammar, with an algorithm go-digest registers and the length of its hex. */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Whether a Content-Type names a registry envelope (or plain JSON, for a hand-made one). */
export function isRegistryEnvelopeType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (REGISTRY_ENVELOPE_MEDIA_TYPES as readonly string[]).includes(type);
}

export function parseRegistryEnvelope(contentType: string | undefined, body: Buffer): RegistryEvent[] {
  if (!isRegistryEnvelopeType(contentType)) {
    throw new WebhookPayloadError(`content type ${JSON.stringify((contentType ?? '').slice(0, 100))} is not a registry envelope; send ${REGISTRY_ENVELOPE_MEDIA_TYPES.join(' or ')}`);
  }
  const envelope = decodeBody('application/json', body) as { events?: unknown };
  if (!Array.isArray(envelope.events)) throw new WebhookPayloadError('field events: the envelope must hold a list of events');
  if (envelope.events.length > MAX_EVENTS_PER_ENVELOPE) throw new WebhookPayloadError(`field events: ${envelope.events.length} events; at most ${MAX_EVENTS_PER_ENVELOPE} are accepted in one envelope`);
  return envelope.events.map((raw, i) => readEvent(raw, i));
}

function readEvent(raw: unknown, index: number): RegistryEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new WebhookPayloadError(`field events[${index}]: not an object`);
  const event = raw as Record<string, unknown>;
  const id = eventId(event.id, raw);
  const action = optionalString(event.action, `events[${index}].action`, 64);
  const target = (event.target ?? {}) as Record<string, unknown>;
  if (typeof target !== 'object' || Array.isArray(target)) throw new WebhookPayloadError(`field events[${index}].target: not an object`);
  const mediaType = optionalString(target.mediaType, `events[${index}].target.mediaType`, 255);
  if (action !== 'push') return { kind: 'ignored', id, reason: `${action ?? 'an event without an action'} is not a push` };
  if (mediaType === undefined || !MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    return { kind: 'ignored', id, reason: `a push of ${mediaType === undefined ? 'a blob' : JSON.stringify(mediaType)}, not of an image manifest` };
  }
  const field = (name: string) => `events[${index}].target.${name}`;
  const repository = requiredString(target.repository, field('repository'), MAX_REPOSITORY);
  if (!REPOSITORY.test(repository)) throw new WebhookPayloadError(`field ${field('repository')}: ${quote(repository)} is not a repository name (lower-case path components, at most ${MAX_REPOSITORY} characters)`);
  const digest = requiredString(target.digest, field('digest'), 200);
  if (!DIGEST.test(digest)) throw new WebhookPayloadError(`field ${field('digest')}: ${quote(digest)} is not a sha256, sha384 or sha512 digest`);
  const tag = optionalString(target.tag, field('tag'), 128);
  if (tag === undefined || tag === '') return { kind: 'ignored', id, reason: `manifest ${digest} of ${repository} was pushed by digest, without a tag` };
  if (!TAG.test(tag)) throw new WebhookPayloadError(`field ${field('tag')}: ${quote(tag)} is not a tag (letters, digits, '_', '.', '-', not first '.' or '-', at most 128)`);
  const push: ImagePushEvent = { kind: 'image', id, repository, tag, digest, mediaType };
  return push;
}

/** The id as sent when it is plain; a digest of it, or of the whole event when there is none. */
function eventId(sent: unknown, raw: unknown): string {
  if (typeof sent === 'string' && PLAIN_ID.test(sent)) return sent;
  const hash = createHash('sha256').update(typeof sent === 'string' ? sent : JSON.stringify(raw)).digest('hex').slice(0, 40);
  return typeof sent === 'string' ? `id-${hash}` : `event-${hash}`;
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new WebhookPayloadError(`field ${field}: not a string`);
  if (value.length > max) throw new WebhookPayloadError(`field ${field}: ${value.length} characters; at most ${max}`);
  return value;
}

function requiredString(value: unknown, field: string, max: number): string {
  const text = optionalString(value, field, max);
  if (text === undefined || text === '') throw new WebhookPayloadError(`field ${field}: missing`);
  return text;
}

const quote = (text: string) => JSON.stringify(text.slice(0, 100));
