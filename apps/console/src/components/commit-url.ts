// The web page of a commit, made from an http(s) clone URL the way GitHub, Gitea/Forgejo and GitLab lay out their
// pages (`<repository>/commit/<sha>`; Bitbucket `/commits/`), else the link the webhook gave (spec.htmlUrl, which
// may be the pull request's). Anything else (ssh, file, a host we cannot tell) gets no link rather than a wrong one.
export function commitUrl(sha: string | undefined, repositoryUrl: string | undefined, htmlUrl?: string): string | undefined {
  return fromCloneUrl(sha, repositoryUrl) ?? (htmlUrl && /^https?:\/\//.test(htmlUrl) ? htmlUrl : undefined);
}

function fromCloneUrl(sha: string | undefined, repositoryUrl: string | undefined): string | undefined {
  if (!sha || !repositoryUrl) return undefined;
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (path.split('/').filter(Boolean).length < 2) return undefined;
  const commits = url.hostname === 'bitbucket.org' ? 'commits' : 'commit';
  return `${url.origin}${path}/${commits}/${encodeURIComponent(sha)}`;
}
