// Where a pipeline's `.devops.yml` comes from: the git repository, read at an exact commit so that a run (and
// its rerun) builds what was pushed, not whatever the branch points at by the time the run starts.

/** Credentials for an HTTP(S) remote; a token goes in `password`. Never logged, never on a command line. */
export interface GitAuth {
  username: string;
  password: string;
}

export interface ConfigSource {
  /** Full 40-hex SHA of the branch tip (`git ls-remote`), or of a given commit (validated, returned as is, lowercased). */
  resolveCommit(repositoryUrl: string, target: { branch: string } | { commit: string }, auth?: GitAuth): Promise<string>;
  /** The file's text at that commit; `undefined` when the path does not exist at that commit. */
  readFile(repositoryUrl: string, commit: string, path: string, auth?: GitAuth): Promise<string | undefined>;
  /**
   * The first of `paths` that exists at that commit, with its text, from one fetch (a pipeline file is looked up
   * under several names); `undefined` when none does.
   */
  readFirstFile(repositoryUrl: string, commit: string, paths: readonly string[], auth?: GitAuth): Promise<FoundFile | undefined>;
}

export interface FoundFile {
  path: string;
  text: string;
}

export const CONFIG_SOURCE = Symbol('ConfigSource');
