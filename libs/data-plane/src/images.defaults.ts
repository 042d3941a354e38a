// The pinned versions of everything the data plane runs, in one place. Tags are pinned (never `latest`); an
// operator who needs digests passes `images` and `jenkinsPlugins` in the provisioner input.

export interface DataPlaneImages {
  /** Official Jenkins LTS image, JDK 17. Also runs the plugin init container (it ships jenkins-plugin-cli). */
  jenkins: string;
  /** CNCF distribution registry. */
  registry: string;
  minio: string;
}

export const DEFAULT_DATA_PLANE_IMAGES: DataPlaneImages = {
  jenkins: 'docker.io/jenkins/jenkins:2.516.3-jdk17',
  registry: 'docker.io/library/registry:3.0.0',
  // MinIO publishes images to quay.io only since 2025.
  minio: 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z',
};

/** `name:version` pairs for jenkins-plugin-cli. Dependencies resolve to the minimum these require. */
export const DEFAULT_JENKINS_PLUGINS: readonly string[] = [
  'kubernetes:4371.vb_33b_086d54a_1',
  'workflow-aggregator:608.v67378e9d3db_1',
  'pipeline-stage-view:2.38',
  'credentials:1447.v4cb_b_539b_5321',
  'configuration-as-code:1985.vdda_32d0c4ea_b_',
  // The compiled Jenkinsfile checks out with GitSCM.
  'git:5.7.0',
];

const TAG_OR_DIGEST = /^(?:[^/]+\/)*[^/:@]+(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Pinned: a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  if (!TAG_OR_DIGEST.test(image)) return false;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@sha256:')) return true;
  const colon = lastSegment.indexOf(':');
  return colon > 0 && lastSegment.slice(colon + 1) !== 'latest';
}

/** A plugin pinned to an exact version (`name:version`, no `latest` or `experimental`). */
export function isPinnedPlugin(plugin: string): boolean {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9._-]*):([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(plugin);
  return !!m && m[2] !== 'latest' && m[2] !== 'experimental';
}
