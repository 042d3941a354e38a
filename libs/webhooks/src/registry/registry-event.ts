// What Keelson takes from a registry notification (CNCF Distribution's event envelope): a tagged manifest
// pushed, or an event that starts nothing and says why.

/** A manifest (image, manifest list or OCI index) pushed under a tag. */
export interface ImagePushEvent {
  kind: 'image';
  /** The registry's event id when it is plain; otherwise a digest of it (or of the event, when it sent none). */
  id: string;
  /** Repository name inside the registry, e.g. `team/app`. */
  repository: string;
  tag: string;
  /** `sha256:<hex>` of the manifest: the same bytes pushed again have the same digest. */
  digest: string;
  mediaType: string;
}

/** A blob, a pull, a delete, a mount, or a manifest pushed by digest only: answered 2xx, starts nothing. */
export interface IgnoredRegistryEvent {
  kind: 'ignored';
  id?: string;
  reason: string;
}

export type RegistryEvent = ImagePushEvent | IgnoredRegistryEvent;
