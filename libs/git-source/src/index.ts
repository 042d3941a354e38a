export { ConfigSource, FoundFile, GitAuth, CONFIG_SOURCE } from './config-source.port';
export { GitCliConfigSource, GitCliConfigSourceOptions } from './git-cli.config-source';
export { CachedConfigSource, CachedConfigSourceOptions } from './cached-config-source';
export { GitSourceError, GitSourceErrorCode, GIT_SOURCE_ERROR_CODES } from './git-source.errors';
export { validateBranchName, validateCommitSha, branchNameProblem } from './ref-name';
export { validateRepoPath } from './repo-path';
export { validateRepositoryUrl, redactUrl } from './repository-url';
