// RFC 8288 Link headers, as GitHub, GitLab and Gitea page with them: `<url>; rel="next", <url>; rel="last"`.

/** The target of the first link whose rel includes `rel`, resolved against the request URL; undefined without one. */
export function linkWithRel(header: string | undefined, rel: string, base: URL): URL | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2];
    const relParam = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (relParam?.[1] ?? relParam?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!rels.includes(rel)) continue;
    try {
      return new URL(match[1], base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
