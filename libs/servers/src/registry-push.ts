// Pushes to a registry over its HTTP API (OCI distribution-spec "Pushing blobs" and "Pushing manifests"), the
// way a client does: blobs in one PUT each, then the manifest that references them, by tag or digest.
import { createHash } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface PushedManifest {
  digest: string;
  mediaType: string;
  size: number;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status !== status) throw new Error(`${what}: registry answered ${res.status} ${await res.text()}`);
}

/** POST `/v2/<name>/blobs/uploads/` opens a session, PUT `<location>?digest=` sends the bytes in one go. Returns the digest. */
export async function pushBlob(registryUrl: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const session = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(session, 202, `opening an upload of ${digest} to ${repository}`);
  const location = new URL(session.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  const res = await fetch(location, {
    method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
  });
  await expectStatus(res, 201, `pushing blob ${digest} to ${repository}`);
  return digest;
}

/** PUT `/v2/<name>/manifests/<reference>`; the reference is a tag, or the manifest's digest for a push by digest. */
export async function pushManifest(registryUrl: string, repository: string, reference: string, manifest: unknown, mediaType: string): Promise<PushedManifest> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } });
  await expectStatus(res, 201, `pushing manifest ${reference} to ${repository}`);
  return { digest: sha256(bytes), mediaType, size: bytes.length };
}

/** A one-layer OCI image: its config and layer blobs, then its manifest (under `tag`, or by digest when absent). */
export async function pushImage(registryUrl: string, repository: string, tag: string | undefined, layer: Buffer = Buffer.from('layer')): Promise<PushedManifest> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const configDigest = await pushBlob(registryUrl, repository, config);
  const layerDigest = await pushBlob(registryUrl, repository, layer);
  const manifest = {
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return pushManifest(registryUrl, repository, tag ?? sha256(bytes), manifest, OCI_MANIFEST);
}

/** An OCI index of manifests already pushed, under `tag`. */
export async function pushIndex(registryUrl: string, repository: string, tag: string, manifests: PushedManifest[]): Promise<PushedManifest> {
  const index = {
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: manifests.map((m, i) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { architecture: i === 0 ? 'amd64' : 'arm64', os: 'linux' } })),
  };
  return pushManifest(registryUrl, repository, tag, index, OCI_INDEX);
}
