// Patterns shared by several kinds. The apiserver checks them with RE2, so no look-around.

/** http(s), ssh, git and file URLs, or scp-like `user@host:path`. */
export const GIT_URL_PATTERN = '^((https?|ssh|git|file)://[^\\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s]+)$';

/**
 * A branch or tag name in the spirit of `git check-ref-format`: no spaces, control characters, `~^:?*[\`,
 * no leading `-` or `/`. The full rules (no `..`, no `@{`, no `.lock` suffix) are checked again in code.
 */
export const GIT_REF_NAME_PATTERN = '^[^-/\\s~^:?*\\[\\\\\\x00-\\x1f\\x7f][^\\s~^:?*\\[\\\\\\x00-\\x1f\\x7f]*$';

/** A full commit id: SHA-1 or SHA-256. */
export const COMMIT_SHA_PATTERN = '^([0-9a-f]{40}|[0-9a-f]{64})$';

/** A glob list entry for branch and tag filters. */
export const GLOB_PATTERN = '^[^\\s\\x00-\\x1f]+$';
