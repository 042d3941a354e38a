// Authorisation beyond the one check of ApiAuthGuard, for answers that span namespaces or kinds: each namespace or
// kind is asked about (SubjectAccessReview, through ApiAuthService and its short cache), and only what the caller
// may see is answered.
import { ApiAuthError, ApiAuthService, KEELSON_API_GROUP, type KubeVerb } from '../auth';

export type NamespaceScope =
  | { all: true }
  | { all: false; allowed: string[]; omitted: string[] };

/** Reviews run at once per request: enough to be quick, few enough not to flood the apiserver. */
const CONCURRENCY = 8;

export class CallerAccess {
  constructor(private readonly auth: ApiAuthService, private readonly authorization: string | undefined) {}

  /** Whether the caller may `verb` the resource in `namespace` (every namespace when undefined). */
  async may(verb: KubeVerb, resource: string, namespace?: string): Promise<boolean> {
    try {
      await this.require(verb, resource, namespace);
      return true;
    } catch (err) {
      if (err instanceof ApiAuthError && err.code === 'Forbidden') return false;
      throw err;
    }
  }

  /** Like may, but throws the ApiAuthError (401, 403, 503); `object` narrows it to one object or its subresource. */
  async require(verb: KubeVerb, resource: string, namespace?: string, object: { name?: string; subresource?: string } = {}): Promise<void> {
    await this.auth.authorize(this.authorization, { verb, group: KEELSON_API_GROUP, resource, namespace, ...object });
  }

  /**
   * Where the caller may `verb` the resource: everywhere if the cluster-scope review says so; otherwise those of
   * `candidates` it may, one review each, and the others, to be named as left out.
   */
  async namespaces(verb: KubeVerb, resource: string, candidates: readonly string[]): Promise<NamespaceScope> {
    if (await this.may(verb, resource)) return { all: true };
    const decisions = await mapLimited(candidates, CONCURRENCY, (ns) => this.may(verb, resource, ns));
    return {
      all: false,
      allowed: candidates.filter((_, i) => decisions[i]),
      omitted: candidates.filter((_, i) => !decisions[i]),
    };
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
