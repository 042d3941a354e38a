// The checkout of exactly the execution's commit. Rancher fetched the ref and built its tip, which may not be
// the commit that triggered the run (or that a rerun names); here the ref is only fetched, the SHA is what is
// checked out, and the Jenkinsfile verifies HEAD afterwards. Untrusted builds check out without a credential:
// their step containers run images the fork chose and share the workspace where the git plugin keeps its
// askpass and password files, so a fork pull request of a private repository cannot be built.
import type { CompileContext } from '../compile-context';
import { JenkinsCompileError } from '../compile.errors';
import { str } from './groovy-writer';

const FETCHED_AS = 'refs/remotes/origin/keelson';

/** The ref to fetch: full refs as given; a manual run's bare branch name is a branch. */
export function fetchRef(ref: string, branch: string): string {
  const full = ref.startsWith('refs/') ? ref : `refs/heads/${ref || branch}`;
  // A subset of git check-ref-format; the git plugin also splits refspecs on whitespace.
  const invalid = /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|\/\.|\.lock(?:\/|$)|\/\/|[./]$/.test(full);
  if (invalid) throw new JenkinsCompileError('InvalidRef', `${JSON.stringify(full)} is not a valid git ref`);
  return full;
}

export function checkoutStatement(ctx: CompileContext): string {
  const { facts, settings } = ctx.input;
  const credentialsId = ctx.trusted ? settings.gitCredentialsId : undefined;
  const remote = [
    `url: ${str(facts.gitUrl)}`,
    `refspec: ${str(`+${fetchRef(facts.ref, facts.branch)}:${FETCHED_AS}`)}`,
    ...(credentialsId !== undefined ? [`credentialsId: ${str(credentialsId)}`] : []),
  ].join(', ');
  const extensions = `[[$class: ${str('CloneOption')}, noTags: true, shallow: false, honorRefspec: true]]`;
  return `checkout([$class: ${str('GitSCM')}, branches: [[name: ${str(facts.commit)}]], userRemoteConfigs: [[${remote}]], extensions: ${extensions}])`;
}
