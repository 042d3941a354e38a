// Where a publishImageConfig step pushes: the project registry (its Service; the image is then pulled as
// `${CICD_LOCAL_REGISTRY}/<tag>` through the node-local proxy) or a remote one.
import type { PublishImageConfig } from '@keelson/pipeline-config';

import { JenkinsCompileError } from '../compile.errors';

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']);
// Registry host, repository path, optional tag and digest. Anything else (commas, spaces, `=`) is refused rather
// than escaped: the reference becomes Kaniko's `--destination` and its host the key of `--registry-certificate
// <host>=<file>`, where a stray `=` would move the split.
const IMAGE_REFERENCE = /^[a-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export interface PublishTarget {
  /** Registry host as written in the step or the project registry address. */
  registry: string;
  /** Full image reference pushed (the first, when the tag lists several). */
  image: string;
  /** Every reference pushed: `app:1,latest` pushes `app:1` and `app:latest`, as Rancher's image builder did. */
  images: string[];
  remote: boolean;
}

/** What a publish step does; the step script and the step container are built from this one decision. */
export interface PublishPlan {
  target: PublishTarget;
  /** Never for untrusted builds (pull requests from forks): they build with `--no-push`. */
  push: boolean;
  /** The project registry's CA is mounted and named to Kaniko (a `caSecret` is set and the target is local). */
  registryCa: boolean;
}

export function publishTarget(config: PublishImageConfig, localRegistry: string): PublishTarget {
  const remote = config.pushRemote && config.registry !== undefined;
  const registry = remote ? (config.registry as string) : localRegistry;
  const host = DOCKER_HUB_ALIASES.has(registry) ? 'docker.io' : registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const images = tagsOf(config.tag).map((tag) => `${host}/${tag}`);
  for (const image of images) {
    if (!IMAGE_REFERENCE.test(image)) {
      throw new JenkinsCompileError('InvalidImageReference', `cannot push to ${JSON.stringify(image)}: not an image reference`);
    }
  }
  return { registry, image: images[0], images, remote };
}

/**
 * `repo:a,b` is `repo:a` and `repo:b`: Rancher's image builder (drone's docker plugin) read its tag as a
 * comma-separated list, each trimmed. A reference with a digest is taken as it is.
 */
function tagsOf(reference: string): string[] {
  const colon = reference.lastIndexOf(':');
  if (reference.includes('@') || colon < reference.lastIndexOf('/')) return [reference];
  const repo = reference.slice(0, colon);
  return reference.slice(colon + 1).split(',').map((tag) => `${repo}:${tag.trim()}`);
}

/** The registry part of a checked image reference (`host[:port]`), as Kaniko names registries. */
export function registryHost(target: PublishTarget): string {
  return target.image.slice(0, target.image.indexOf('/'));
}
