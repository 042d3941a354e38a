// Where a publishImageConfig step pushes: the project registry (`CICD_LOCAL_REGISTRY`) or a remote one.
import type { PublishImageConfig } from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']);
// Registry host, repository path, optional tag and digest. Anything else (commas, spaces, `=`) could add
// options to BuildKit's comma-separated `--output`, so it is refused rather than escaped.
const IMAGE_REFERENCE = /^[a-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export interface PublishTarget {
  /** Registry host as written in the step or the project registry address. */
  registry: string;
  /** Full image reference pushed. */
  image: string;
  remote: boolean;
}

export function publishTarget(config: PublishImageConfig, localRegistry: string): PublishTarget {
  const remote = config.pushRemote && config.registry !== undefined;
  const registry = remote ? (config.registry as string) : localRegistry;
  const host = DOCKER_HUB_ALIASES.has(registry) ? 'docker.io' : registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const image = `${host}/${config.tag}`;
  if (!IMAGE_REFERENCE.test(image)) {
    throw new JenkinsCompileError('InvalidImageReference', `cannot push to ${JSON.stringify(image)}: not an image reference`);
  }
  return { registry, image, remote };
}
