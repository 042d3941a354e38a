// Where the Kaniko builder container finds what the pod mounts for it; the step script names the same paths.
// Everything sits under /kaniko, which Kaniko never snapshots and never overwrites when it unpacks a base image
// over its own root filesystem.

/** The executor of the Kaniko image. */
export const KANIKO_EXECUTOR = '/kaniko/executor';
/** The push credentials (dockerconfigjson as `config.json`); Kaniko reads `$DOCKER_CONFIG/config.json`. */
export const KANIKO_DOCKER_CONFIG_DIR = '/kaniko/.docker';
/** The project registry's CA, given to Kaniko as `--registry-certificate <host>=<file>`. */
export const KANIKO_REGISTRY_CA_DIR = '/kaniko/registry-ca';
export const KANIKO_REGISTRY_CA_FILE = `${KANIKO_REGISTRY_CA_DIR}/ca.crt`;
